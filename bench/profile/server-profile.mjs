// --cpu-prof of one variant server under the benchmark load: node profile/server-profile.mjs
// <framework> <variant id> [seconds] [dir]; PATHS=/users/1 narrows the mix, SENV='{...}' sets knobs,
// PROF_INTERVAL=100 samples every 100 µs (default 1000: too coarse for per-request costs).
import { startRig } from '../src/rig.mjs';
import { VARIANTS, PATHS } from '../src/config.mjs';
const [framework = 'express', vid = 'sightline-100', secs = '6', dir = '/tmp/prof/server'] =
  process.argv.slice(2);
const rig = await startRig({ pin: true });
const variant = VARIANTS.find((v) => v.id === vid);
const sinkUrl = await rig.openSink('p');
const server = await rig.startServer({
  framework,
  variant,
  sinkUrl,
  env: JSON.parse(process.env.SENV ?? '{}'),
  nodeArgs: [
    `--cpu-prof`,
    `--cpu-prof-interval=${process.env.PROF_INTERVAL ?? 1000}`,
    `--cpu-prof-dir=${dir}`,
  ],
});
const paths = process.env.PATHS ? process.env.PATHS.split(',') : PATHS;
await rig.load(server.info.port, { paths, connections: 32, durationSec: 2 });
const r = await rig.load(server.info.port, { paths, connections: 32, durationSec: Number(secs) });
console.log(vid, framework, Math.round(r.rps), 'req/s p99', r.p99);
console.log(
  JSON.stringify((await server.ask({ cmd: 'stats' })).stats?.exporters?.allstak?.categories?.logs ?? null),
);
await server.stop(30000);
{
  const c = (await rig.sinkCounts()).p;
  console.log('sink requests', c.requests, 'items', c.items, 'bytes', c.bytes, JSON.stringify(c.kinds));
}
await rig.stop();
