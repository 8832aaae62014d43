// CPU µs per request of several server configurations, interleaved (robust to a shared CPU).
// node profile/cpu-per-request.mjs <framework> [rounds] [seconds]; PATHS=/users/1 to narrow the mix;
// CONFIGS='[["name","<variant id>",{ENV}]...]' (e.g. BENCH_SIGHTLINE_TRANSPORT=discard, see README);
// WARMUP_SEC per server (default 1), PAUSE_MS between runs (default 1500); BENCH_SERVER_ROOT in a config's ENV runs another checkout's server.
import { setTimeout as sleep } from 'node:timers/promises';
import { startRig } from '../src/rig.mjs';
import { VARIANTS, PATHS } from '../src/config.mjs';
const framework = process.argv[2] ?? 'fastify';
const rounds = Number(process.argv[3] ?? 3);
const secs = Number(process.argv[4] ?? 3);
const paths = process.env.PATHS ? process.env.PATHS.split(',') : PATHS;
const configs = JSON.parse(
  process.env.CONFIGS ??
    '[["bare","bare",{}],["sl","sightline-100",{}],["sl-discard","sightline-100",{"BENCH_SIGHTLINE_TRANSPORT":"discard"}],["sl-nopino","sightline-100",{"BENCH_SIGHTLINE_NO_PINO":"1"}],["sl-noundici","sightline-100",{"BENCH_SIGHTLINE_NO_UNDICI":"1"}]]',
);
const rig = await startRig({ pin: true });
const servers = [];
for (const [name, vid, env] of configs) {
  const sinkUrl = await rig.openSink(name);
  const s = await rig.startServer({ framework, variant: VARIANTS.find((v) => v.id === vid), sinkUrl, env });
  servers.push({ name, s, res: [] });
  await rig.load(s.info.port, { paths, connections: 32, durationSec: Number(process.env.WARMUP_SEC ?? 1) });
}
const cpu = async (s) => (await s.ask({ cmd: 'cpu' })).cpu;
for (let r = 0; r < rounds; r++)
  for (const x of servers) {
    await sleep(Number(process.env.PAUSE_MS ?? 1500));
    const a = await cpu(x.s);
    const res = await rig.load(x.s.info.port, { paths, connections: 32, durationSec: secs });
    const b = await cpu(x.s);
    const us = (b.userUs + b.systemUs - a.userUs - a.systemUs) / res.ok;
    const gc = (b.gcUs - a.gcUs) / res.ok;
    x.res.push(us);
    (x.gc ??= []).push(gc);
    console.log(
      `${x.name.padEnd(14)} ${Math.round(res.rps)} req/s  ${us.toFixed(1)} µs CPU/req (GC pauses ${gc.toFixed(1)})  share ${((b.userUs + b.systemUs - a.userUs - a.systemUs) / 1e3 / (b.at - a.at)).toFixed(2)}`,
    );
  }
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const base = med(servers[0].res);
// Paired: each round's difference to the first configuration's run in the same round, whose
// median is steadier than the difference of medians when the machine drifts.
for (const x of servers)
  console.log(
    `${x.name.padEnd(14)} median ${med(x.res).toFixed(1)} µs/req  (+${(med(x.res) - base).toFixed(1)}; paired +${med(x.res.map((v, i) => v - servers[0].res[i])).toFixed(1)})  GC pauses ${med(x.gc).toFixed(1)} µs/req`,
  );
for (const x of servers) await x.s.stop(15000);
await rig.stop();
