// CPU µs per outbound `fetch` (to the bench stub on CPU 1), each fetch inside a fake inbound
// request handled by core's runServerRequest, in fresh processes pinned to CPU 0, modes interleaved:
//   bare    no Sightline at all
//   als     no Sightline, each fetch inside AsyncLocalStorage.run (context propagation alone)
//   otel-none / otel   OpenTelemetry NodeSDK (exporting nowhere), each fetch in an active span,
//           without / with UndiciInstrumentation → otel − otel-none = the competitor's cost
//   core    init (discard transport) + runServerRequest around each fetch, no outbound integration
//   undici  the same + outboundHttpIntegration()  → undici − core = what the instrumentation costs
// node profile/undici-fetch-cost.mjs [rounds=5] [fetches=6000] [modes=bare,core,undici]
// CONC=8 parallel loops; PROF_DIR=<dir> profiles each child into <dir>/<mode>. Child: node profile/undici-fetch-cost.mjs --child <mode> <url> <n>
// A mode name may carry env settings after a colon, e.g. `undici:UNDICI_MODULE=/abs/orig/index.js`
// to measure another build (see undici-handlers.mjs for building one).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { benchInitOptions, inFakeRequest } from './lib.mjs';

const self = fileURLToPath(import.meta.url);

if (process.argv[2] === '--child') {
  const [, , , mode, url, nStr] = process.argv;
  const n = Number(nStr);
  const conc = Number(process.env.CONC ?? 8);
  let wrap = (fn) => fn();
  if (mode === 'otel' || mode === 'otel-none') {
    // The competitor, set up like the bench's otel variant but exporting nowhere (no encoding):
    // each fetch inside an active server-like span; `otel` adds UndiciInstrumentation.
    process.env.OTEL_METRICS_EXPORTER = 'none';
    process.env.OTEL_LOGS_EXPORTER = 'none';
    const { createRequire } = await import('node:module');
    const req = createRequire(import.meta.url);
    const { NodeSDK, tracing } = req('@opentelemetry/sdk-node');
    const { UndiciInstrumentation } = req('@opentelemetry/instrumentation-undici');
    const api = req('@opentelemetry/api');
    const exporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {} };
    new NodeSDK({
      serviceName: 'bench-undici',
      spanProcessors: [new tracing.BatchSpanProcessor(exporter)],
      sampler: new tracing.AlwaysOnSampler(),
      instrumentations: mode === 'otel' ? [new UndiciInstrumentation()] : [],
    }).start();
    const tracer = api.trace.getTracer('bench');
    wrap = (fn) =>
      tracer.startActiveSpan('GET /fetch', { kind: api.SpanKind.SERVER }, async (span) => {
        try {
          return await fn();
        } finally {
          span.end();
        }
      });
  } else if (mode === 'als') {
    // Only an AsyncLocalStorage around each fetch: what context propagation alone costs.
    const { AsyncLocalStorage } = await import('node:async_hooks');
    const als = new AsyncLocalStorage();
    wrap = (fn) => als.run({ request: true }, fn);
  } else if (mode !== 'bare') {
    const core = await import('@sightline/core');
    const { outboundHttpIntegration } = await import(process.env.UNDICI_MODULE ?? '@sightline/undici');
    core.init(benchInitOptions({ integrations: mode === 'undici' ? [outboundHttpIntegration()] : [] }));
    wrap = (fn) => inFakeRequest(core, fn);
  }
  const one = async () => {
    const r = await fetch(url);
    const body = await r.json();
    return body.price;
  };
  const run = async (count) => {
    let left = count;
    const loop = async () => {
      while (left-- > 0) await wrap(one);
    };
    await Promise.all(Array.from({ length: conc }, loop));
  };
  await run(Math.min(n, 3000)); // warm-up: JIT, keep-alive sockets
  const samples = [];
  for (let i = 0; i < 3; i++) {
    globalThis.gc?.();
    const a = process.cpuUsage();
    await run(n);
    const b = process.cpuUsage(a);
    samples.push((b.user + b.system) / n);
  }
  samples.sort((x, y) => x - y);
  process.stdout.write(`${JSON.stringify({ mode, us: samples[1] })}\n`);
  process.exit(0);
}

const { startRig } = await import('../src/rig.mjs');
const rounds = Number(process.argv[2] ?? 5);
const n = Number(process.argv[3] ?? 6000);
const modes = (process.argv[4] ?? 'bare,core,undici').split(',');
const rig = await startRig({ pin: true });
const runChild = (spec) =>
  new Promise((resolve, reject) => {
    const [mode, ...kv] = spec.split(':');
    const env = { ...process.env };
    for (const pair of kv) {
      const [k, v] = pair.split('=');
      env[k] = v;
    }
    // PROF_DIR=<dir>: each child also writes a --cpu-prof (100 µs sampling) into <dir>/<mode>.
    const prof = process.env.PROF_DIR
      ? ['--cpu-prof', '--cpu-prof-interval=100', `--cpu-prof-dir=${process.env.PROF_DIR}/${mode}`]
      : [];
    const args = ['--expose-gc', ...prof, self, '--child', mode, rig.stubUrl, String(n)];
    const p = rig.pinned
      ? spawn('taskset', ['-c', '0', process.execPath, ...args], { env })
      : spawn(process.execPath, args, { env });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => process.stderr.write(d));
    p.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').pop()).us)
        : reject(new Error(`child ${spec} exited ${code}`)),
    );
  });
const res = Object.fromEntries(modes.map((m) => [m, []]));
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? [...modes].reverse() : modes;
  const line = [];
  for (const m of order) {
    const us = await runChild(m);
    res[m].push(us);
    line.push(`${m} ${us.toFixed(1)}`);
  }
  console.log(`round ${r + 1}: ${line.join('  ')}`);
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const base = modes.includes('core') ? med(res.core) : med(res[modes[0]]);
for (const m of modes)
  console.log(
    `${m.padEnd(24)} median ${med(res[m]).toFixed(1)} µs/fetch  (${med(res[m]) - base >= 0 ? '+' : ''}${(med(res[m]) - base).toFixed(1)} vs ${modes.includes('core') ? 'core' : modes[0]})`,
  );
await rig.stop();
