// Throughput and latency of each framework × variant. Per framework, every variant's server
// starts once (each its own process, pinned to the server CPU) and gets a warm-up; then the
// variants are measured in a shuffled order, round after round, so drift on a noisy machine
// hits all of them alike. Ratios are taken against bare within the same round, and the median
// over rounds is reported. Before each measurement the harness waits until every idle server
// has stopped burning CPU (exporters draining a backlog), so no variant pays for another's.
import { setTimeout as sleep } from 'node:timers/promises';
import { PATHS } from './config.mjs';
import { median, round, shuffled } from './stats.mjs';

const QUIET_WINDOW_MS = 250;
const QUIET_CPU_SHARE = 0.03;

async function cpuOf(server) {
  const { cpu } = await server.ask({ cmd: 'cpu' });
  return cpu;
}

function cpuShare(a, b) {
  const used = (b.userUs + b.systemUs - a.userUs - a.systemUs) / 1e6;
  const wall = (b.at - a.at) / 1000;
  return wall > 0 ? used / wall : 0;
}

/** Waits (bounded) until no server uses more than a sliver of CPU. */
async function settle(servers, maxMs) {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const before = await Promise.all(servers.map((s) => cpuOf(s.server)));
    await sleep(QUIET_WINDOW_MS);
    const after = await Promise.all(servers.map((s) => cpuOf(s.server)));
    const busiest = Math.max(...before.map((b, i) => cpuShare(b, after[i])));
    if (busiest < QUIET_CPU_SHARE || Date.now() > deadline) {
      if (process.env.BENCH_DEBUG)
        console.error(`settle: ${Date.now() - deadline + maxMs} ms, busiest ${busiest.toFixed(3)}`);
      return busiest;
    }
  }
}

async function measure(rig, s, job) {
  const c0 = await cpuOf(s.server);
  const r = await rig.load(s.port, job);
  const c1 = await cpuOf(s.server);
  s.served += r.ok;
  return { ...r, serverCpu: round(cpuShare(c0, c1), 3) };
}

export async function runMacro(rig, mode, { frameworks, variants, seed, log, serverEnv }) {
  const job = { paths: PATHS, connections: mode.connections, durationSec: mode.durationSec };
  const out = [];
  for (const [fi, framework] of frameworks.entries()) {
    log(`\n[macro] ${framework}: starting ${variants.length} servers`);
    const servers = await Promise.all(
      variants.map(async (variant) => {
        const sinkId = `${framework}/${variant.id}`;
        const sinkUrl = await rig.openSink(sinkId);
        const t0 = performance.now();
        const server = await rig.startServer({ framework, variant, sinkUrl, env: serverEnv });
        return {
          variant,
          sinkId,
          server,
          port: server.info.port,
          startupMs: Math.round(performance.now() - t0),
          served: 0,
          rounds: [],
        };
      }),
    );
    const byId = new Map(servers.map((s) => [s.variant.id, s]));
    try {
      for (const s of servers) {
        await settle(servers, 5000);
        const w = await measure(rig, s, { ...job, durationSec: mode.warmupSec });
        log(`  warm-up ${s.variant.id.padEnd(14)} ${Math.round(w.rps)} req/s`);
      }
      for (let r = 0; r < mode.rounds; r++) {
        const order = shuffled(variants, seed + 7919 * r + 104_729 * fi);
        for (const variant of order) {
          const s = byId.get(variant.id);
          const noise = await settle(servers, 8000);
          const m = await measure(rig, s, job);
          s.rounds.push({ round: r, ...m, neighbourCpuBefore: round(noise, 3) });
          log(
            `  round ${r + 1}/${mode.rounds} ${variant.id.padEnd(14)} ${String(Math.round(m.rps)).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  server cpu ${Math.round(m.serverCpu * 100)}%${m.non2xx + m.errors + m.timeouts > 0 ? `  (non-2xx ${m.non2xx}, errors ${m.errors}, timeouts ${m.timeouts})` : ''}`,
          );
        }
      }
      for (const s of servers) {
        s.mem = (await s.server.ask({ cmd: 'mem' })).mem;
        s.sdkStats = (await s.server.ask({ cmd: 'stats' })).stats;
      }
    } finally {
      // Exit flushes each SDK (close / shutdown / exporter flush) before the sink is read.
      await Promise.all(servers.map((s) => s.server.stop(30_000)));
    }
    await sleep(300);
    const counts = await rig.sinkCounts();
    for (const s of servers) {
      s.delivery = counts[s.sinkId];
      await rig.closeSink(s.sinkId);
    }
    out.push(summarize(framework, servers, mode));
  }
  return out;
}

function deliveryStatus(s, delivery) {
  if (s.variant.kind === 'bare' || s.variant.kind === 'ceiling') return { status: 'ok', coverage: null };
  const units = delivery?.serverUnits ?? 0;
  const coverage = s.served > 0 ? units / s.served : 0;
  if (!delivery || delivery.items === 0) return { status: 'invalid: delivered nothing', coverage: 0 };
  if (units === 0) return { status: 'invalid: no request-level data delivered', coverage: 0 };
  if (coverage < 0.9)
    return { status: `partial: ${Math.round(coverage * 100)}% of requests delivered`, coverage };
  return { status: 'ok', coverage };
}

function summarize(framework, servers, mode) {
  const bare = servers.find((s) => s.variant.kind === 'bare');
  const variants = servers.map((s) => {
    const ratios = [];
    const cpuRatios = [];
    const p99Ratios = [];
    for (const r of s.rounds) {
      const b = bare?.rounds.find((x) => x.round === r.round);
      if (b && b.rps > 0) ratios.push(r.rps / b.rps);
      if (b && b.rps > 0 && r.serverCpu > 0 && b.serverCpu > 0)
        cpuRatios.push(r.rps / r.serverCpu / (b.rps / b.serverCpu));
      if (b && b.p99 > 0) p99Ratios.push(r.p99 / b.p99);
    }
    const failures = s.rounds.reduce((n, r) => n + r.non2xx + r.errors + r.timeouts, 0);
    let { status, coverage } = deliveryStatus(s, s.delivery);
    if (failures > 0 && status === 'ok') status = `failing: ${failures} non-2xx/errors/timeouts`;
    return {
      id: s.variant.id,
      label: s.variant.label,
      kind: s.variant.kind,
      sampleRate: s.variant.sampleRate,
      rps: round(median(s.rounds.map((r) => r.rps)), 0),
      ratio: round(median(ratios), 3),
      cpuRatio: round(median(cpuRatios), 3),
      p50: round(median(s.rounds.map((r) => r.p50)), 2),
      p99: round(median(s.rounds.map((r) => r.p99)), 2),
      p99Ratio: round(median(p99Ratios), 3),
      serverCpu: round(median(s.rounds.map((r) => r.serverCpu)), 3),
      rssMB: s.mem ? round(s.mem.rss / 1048576, 1) : null,
      heapUsedMB: s.mem ? round(s.mem.heapUsed / 1048576, 1) : null,
      startupMs: s.startupMs,
      served: s.served,
      delivered: s.delivery
        ? {
            items: s.delivery.items,
            requestUnits: s.delivery.serverUnits,
            requests: s.delivery.requests,
            bytes: s.delivery.bytes,
            kinds: s.delivery.kinds,
            badBodies: s.delivery.badBodies,
          }
        : null,
      coverage: coverage === null ? null : round(coverage, 3),
      status,
      sdkStats: s.sdkStats ?? null,
      rounds: s.rounds,
    };
  });
  return {
    framework,
    job: { paths: PATHS, connections: mode.connections, durationSec: mode.durationSec },
    variants,
  };
}
