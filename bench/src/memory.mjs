// Memory under sustained load: a Sightline-instrumented Express app (100% sampling) is driven
// for the whole duration while the harness samples its RSS and heap; at fixed checkpoints it
// forces a GC (the server runs with --expose-gc) to read the heap that is actually retained.
// Once with the ingest sink down (connection refused: everything queues, then drops at the
// queue bounds) and once with it up. Flat = retained heap grows by less than 5 MB (or 10%)
// between the half-way checkpoint and the end.
import { setTimeout as sleep } from 'node:timers/promises';
import { PATHS, VARIANTS } from './config.mjs';
import { MB, round, slope } from './stats.mjs';

const CHECKPOINTS = [0.25, 0.5, 0.75, 1];

async function scenario(rig, settings, { sinkDown, framework, log }) {
  const variant = VARIANTS.find((v) => v.id === 'sightline-100');
  const sinkId = `memory/${framework}/${sinkDown ? 'down' : 'up'}`;
  let sinkUrl = await rig.openSink(sinkId);
  if (sinkDown) {
    // The port is closed again at once: every send is refused, as with a backend that is down.
    await rig.closeSink(sinkId);
    sinkUrl = sinkUrl.replace(/:\d+$/, ':1');
  }
  const server = await rig.startServer({ framework, variant, sinkUrl, nodeArgs: ['--expose-gc'] });
  const samples = [];
  const retained = [];
  const t0 = performance.now();
  const durationMs = settings.durationSec * 1000;
  const ask = async () => (await server.ask({ cmd: 'mem' })).mem;
  try {
    await server.ask({ cmd: 'gc' });
    const base = await ask();
    retained.push({ at: 0, heapUsed: base.heapUsed, rss: base.rss });
    const load = rig.load(server.info.port, {
      paths: PATHS,
      connections: 32,
      durationSec: settings.durationSec,
    });
    let next = 0;
    while (performance.now() - t0 < durationMs) {
      await sleep(settings.sampleEveryMs);
      const elapsed = performance.now() - t0;
      const m = await ask();
      samples.push({ t: round(elapsed / 1000, 2), rss: m.rss, heapUsed: m.heapUsed });
      if (next < CHECKPOINTS.length - 1 && elapsed >= CHECKPOINTS[next] * durationMs) {
        await server.ask({ cmd: 'gc' });
        const g = await ask();
        retained.push({ at: CHECKPOINTS[next], heapUsed: g.heapUsed, rss: g.rss });
        next++;
      }
    }
    const result = await load;
    await server.ask({ cmd: 'gc' });
    const end = await ask();
    retained.push({ at: 1, heapUsed: end.heapUsed, rss: end.rss });
    const stats = (await server.ask({ cmd: 'stats' })).stats;
    const half = retained.find((r) => r.at === 0.5) ?? retained[0];
    const growth = end.heapUsed - half.heapUsed;
    const flat = growth < Math.max(5 * MB, 0.1 * half.heapUsed);
    const secondHalf = samples.filter((s) => s.t >= settings.durationSec / 2);
    const out = {
      sink: sinkDown ? 'down (connection refused)' : 'up',
      framework,
      durationSec: settings.durationSec,
      requests: result.ok,
      rps: round(result.rps, 0),
      rssStartMB: round(base.rss / MB, 1),
      rssPeakMB: round(Math.max(...samples.map((s) => s.rss)) / MB, 1),
      rssEndMB: round(end.rss / MB, 1),
      heapRetainedMB: retained.map((r) => ({
        at: r.at,
        heapUsedMB: round(r.heapUsed / MB, 1),
        rssMB: round(r.rss / MB, 1),
      })),
      heapGrowthSecondHalfMB: round(growth / MB, 2),
      rssSlopeSecondHalfMBPerMin: round(
        (slope(
          secondHalf.map((s) => s.t),
          secondHalf.map((s) => s.rss),
        ) *
          60) /
          MB,
        2,
      ),
      flat,
      transport: summarizeTransport(stats),
      samples: samples.map((s) => ({
        t: s.t,
        rssMB: round(s.rss / MB, 1),
        heapUsedMB: round(s.heapUsed / MB, 1),
      })),
    };
    log(
      `  sink ${sinkDown ? 'down' : 'up  '}: ${out.requests} requests (${out.rps} req/s), RSS ${out.rssStartMB} → peak ${out.rssPeakMB} → ${out.rssEndMB} MB, retained heap ${out.heapRetainedMB.map((r) => r.heapUsedMB).join(' → ')} MB, ${flat ? 'flat' : 'GROWING'}; dropped (queue full) ${out.transport?.droppedQueueFull ?? '?'}`,
    );
    return out;
  } finally {
    await server.stop(15_000);
    if (!sinkDown) await rig.closeSink(sinkId);
  }
}

function summarizeTransport(stats) {
  const cats = stats?.exporters?.allstak?.categories;
  if (!cats) return null;
  const sum = (k) => Object.values(cats).reduce((n, c) => n + (c[k] ?? 0), 0);
  return {
    enqueued: sum('enqueued'),
    delivered: sum('delivered'),
    queued: sum('queued'),
    droppedQueueFull: sum('droppedQueueFull'),
    droppedRetriesExhausted: sum('droppedRetriesExhausted'),
  };
}

export async function runMemory(rig, settings, { log, framework = 'express' }) {
  log(`\n[memory] ${framework} + Sightline 100% under load for ${settings.durationSec} s`);
  const down = await scenario(rig, settings, { sinkDown: true, framework, log });
  const up = await scenario(rig, settings, { sinkDown: false, framework, log });
  return { scenarios: [down, up] };
}
