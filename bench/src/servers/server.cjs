'use strict';
// One variant server: the SDK is set up first (as each vendor documents), then the framework
// loads, the app listens on 127.0.0.1:0 and reports its port. Driven over IPC by the harness:
// { cmd: 'mem' } → memory figures, { cmd: 'cpu' } → CPU and GC time used so far, { cmd: 'stats' } → SDK drop counters when it has them,
// { cmd: 'exit' } → stop listening, flush the SDK, exit.
const path = require('node:path');

const framework = process.env.BENCH_FRAMEWORK;
const variant = process.env.BENCH_VARIANT;
const ctx = {
  framework,
  sinkUrl: process.env.BENCH_SINK_URL,
  sampleRate: Number(process.env.BENCH_SAMPLE_RATE ?? '1'),
  sightlineOptions: process.env.BENCH_SIGHTLINE_OPTIONS
    ? JSON.parse(process.env.BENCH_SIGHTLINE_OPTIONS)
    : {},
};

// Time spent in garbage collection so far (µs), for the profiling scripts.
let gcMs = 0;
const gcObserver = new (require('node:perf_hooks').PerformanceObserver)((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
});
gcObserver.observe({ entryTypes: ['gc'] });
const gcTime = () => Math.round(gcMs * 1000);

async function main() {
  const hooks = require(path.join(__dirname, 'variants', `${variant}.cjs`)).setup(ctx);
  const listen = await require(path.join(__dirname, 'apps', `${framework}.cjs`)).create({
    hooks,
    stubUrl: process.env.BENCH_STUB_URL,
  });
  const server = await listen(0);
  server.keepAliveTimeout = 30_000;
  const reply = (msg, body) => process.send?.({ seq: msg.seq, ...body });
  process.on('message', async (msg) => {
    try {
      if (msg.cmd === 'mem') {
        const m = process.memoryUsage();
        reply(msg, {
          mem: { rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external },
        });
      } else if (msg.cmd === 'cpu') {
        const u = process.cpuUsage();
        reply(msg, { cpu: { userUs: u.user, systemUs: u.system, at: performance.now(), gcUs: gcTime() } });
      } else if (msg.cmd === 'gc') {
        globalThis.gc?.();
        reply(msg, { ok: typeof globalThis.gc === 'function' });
      } else if (msg.cmd === 'stats') {
        reply(msg, { stats: hooks.stats?.() ?? null });
      } else if (msg.cmd === 'exit') {
        server.closeAllConnections?.();
        server.close();
        await hooks.shutdown();
        process.exit(0);
      }
    } catch (err) {
      reply(msg, { error: String(err?.message ?? err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send?.({ ready: true, port: server.address().port });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
