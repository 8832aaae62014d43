// Are the undici subscribers slower inside a real fetch workload than in a tight loop? One
// process alternates two workloads and reads how long the subscribers themselves took per
// exchange (a build that times its listeners with hrtime and adds the totals to
// globalThis.__slxT = { create, headers, trailers, n }):
//   fetch      real global fetch calls to the bench stub (CPU 1), 8 in parallel, each inside a
//              fake inbound request (core's runServerRequest), as in the /fetch route
//   synthetic  undici 6 Request objects answered in place (undici-handlers.mjs), no network
// UNDICI_MODULE=<abs>/timed/index.js taskset -c 0 node profile/undici-insitu.mjs [cycles=20] [fetches=400]
// (build variants as undici-handlers.mjs says; the timing wrapper goes around the listeners
// passed to channelSubscription in undici-channels.ts).
import { createRequire } from 'node:module';
import { FETCH_HEADERS, benchInitOptions, inFakeRequest } from './lib.mjs';

const cycles = Number(process.argv[2] ?? 20);
const fetches = Number(process.argv[3] ?? 400);
const require = createRequire(import.meta.url);
const core = await import('@sightline/core');
const undici = await import(process.env.UNDICI_MODULE ?? '@sightline/undici');
const undiciRequire = createRequire(require.resolve('@sightline/undici/package.json'));
const Request = undiciRequire('undici6/lib/core/request.js');
const { startRig } = await import('../src/rig.mjs');
const rig = await startRig({ pin: true });

core.init(benchInitOptions({ integrations: [undici.outboundHttpIntegration()] }));

const inRequest = (fn) => inFakeRequest(core, fn);
const one = async () => {
  const r = await fetch(rig.stubUrl);
  if ((await r.json()).price !== 42) throw new Error('bad stub answer');
};
const fetchRun = async (n) => {
  let left = n;
  const loop = async () => {
    while (left-- > 0) await inRequest(one);
  };
  await Promise.all(Array.from({ length: 8 }, loop));
};

const handler = { onConnect() {}, onHeaders: () => true, onData: () => true, onComplete() {}, onError() {} };
const responseHeaders = [
  'content-type',
  'application/json',
  'content-length',
  '54',
  'Date',
  'Mon, 23 Nov 2026 14:00:00 GMT',
  'Connection',
  'keep-alive',
  'Keep-Alive',
  'timeout=30',
].map((s) => Buffer.from(s));
const syntheticRun = async (n) => {
  for (let i = 0; i < n; i += 10)
    await inRequest(async () => {
      for (let j = 0; j < 10; j++) {
        const r = new Request(
          'http://127.0.0.1:40000',
          { path: '/price', method: 'GET', headers: FETCH_HEADERS.slice(), body: null },
          handler,
        );
        r.onConnect(() => {});
        r.onHeaders(200, responseHeaders, () => {}, 'OK');
        r.onComplete([]);
      }
    });
};

const T = () => globalThis.__slxT;
const snap = () => ({ ...T() });
const res = { fetch: [], synthetic: [] };
await fetchRun(1500);
await syntheticRun(5000);
for (let c = 0; c < cycles; c++) {
  for (const [name, run, n] of [
    ['fetch', fetchRun, fetches],
    ['synthetic', syntheticRun, fetches * 10],
  ]) {
    const a = snap();
    await run(n);
    const b = T();
    const d = (k) => (b[k] - a[k]) / (b.n - a.n) / 1e3;
    res[name].push(
      Object.fromEntries(
        Object.keys(b)
          .filter((k) => k !== 'n')
          .map((k) => [k, d(k)]),
      ),
    );
  }
}
const med = (xs) => xs.slice().sort((x, y) => x - y)[xs.length >> 1];
for (const [name, rows] of Object.entries(res)) {
  const c = med(rows.map((r) => r.create));
  const h = med(rows.map((r) => r.headers));
  const t = med(rows.map((r) => r.trailers));
  console.log(
    `${name.padEnd(10)} create ${c.toFixed(2)}  headers ${h.toFixed(2)}  trailers ${t.toFixed(2)}  total ${(c + h + t).toFixed(2)} µs per exchange (median of ${rows.length})`,
  );
  // Any finer timers the build adds to globalThis.__slxT.
  const extra = Object.keys(rows[0]).filter((k) => !['create', 'headers', 'trailers'].includes(k));
  if (extra.length)
    console.log(
      `${''.padEnd(10)} ${extra.map((k) => `${k} ${med(rows.map((r) => r[k])).toFixed(2)}`).join('  ')}`,
    );
}
await rig.stop();
process.exit(0);
