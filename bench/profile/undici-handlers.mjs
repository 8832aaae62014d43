// What the undici subscribers cost per request with no network in the way: a real undici 6
// `Request` is built (publishing `undici:request:create`), then answered through its own
// onHeaders / onComplete (publishing `headers` and `trailers`), inside a request context made by
// core's runServerRequest. `off` builds and answers the same request without the instrumentation.
//   taskset -c 0 node profile/undici-handlers.mjs [cycles=30] [batch=4000] [modes=off,on]
// Modes alternate in short batches and each cycle's difference to the first mode is kept, so a
// machine whose speed drifts (shared cores) still gives paired numbers; medians are printed.
// `on@NAME` runs another build of @sightline/undici loaded side by side: UNDICI_BUILDS=
// 'orig=<abs>/orig/index.js,new=<abs>/new/index.js'. Build one in packages/undici with
// `npx tsup src/index.ts --format esm --no-config --out-dir node_modules/.bench-variants/new`
// (inside the package, so it resolves @sightline/core as the package does; git and biome skip it).
// `on:A+B` sets globalThis.__slx = { A: true, B: true } (temporary knobs in a local build).
// ESM=0 loads the CommonJS builds (what the bench servers run). JSON=1 prints one JSON line.
import { createRequire } from 'node:module';
import { FETCH_HEADERS, benchInitOptions, fakeRequest, fakeResponse, instrumentationModes } from './lib.mjs';

const cycles = Number(process.argv[2] ?? 30);
const batchSize = Number(process.argv[3] ?? 4000);
const modes = (process.argv[4] ?? 'off,on').split(',');

const require = createRequire(import.meta.url);
const core = process.env.ESM === '0' ? require('@sightline/core') : await import('@sightline/core');
const STATE_KEY = Symbol.for('sightline.undici.instrumentation.v1');
const builds = {
  '': process.env.ESM === '0' ? require('@sightline/undici') : await import('@sightline/undici'),
};
for (const pair of (process.env.UNDICI_BUILDS ?? '').split(',').filter(Boolean)) {
  const [name, path] = pair.split('=');
  // Each build keeps its own process-wide state (normally shared on purpose): one at a time is on.
  delete globalThis[STATE_KEY];
  builds[name] = await import(path);
}
const undiciRequire = createRequire(require.resolve('@sightline/undici/package.json'));
const Request = undiciRequire('undici6/lib/core/request.js');

core.init(benchInitOptions({ integrations: [] }));

const setMode = instrumentationModes(builds);

const handler = {
  onConnect() {},
  onHeaders() {
    return true;
  },
  onData() {
    return true;
  },
  onComplete() {},
  onError() {},
};
const responseHeaders = [
  Buffer.from('content-type'),
  Buffer.from('application/json'),
  Buffer.from('content-length'),
  Buffer.from('54'),
  Buffer.from('Date'),
  Buffer.from('Mon, 23 Nov 2026 14:00:00 GMT'),
  Buffer.from('Connection'),
  Buffer.from('keep-alive'),
  Buffer.from('Keep-Alive'),
  Buffer.from('timeout=30'),
];
const resume = () => {};
let sink = 0;
const exchange = () => {
  const r = new Request(
    'http://127.0.0.1:40000',
    { path: '/price', method: 'GET', headers: FETCH_HEADERS.slice(), body: null },
    handler,
  );
  r.onConnect(() => {});
  r.onHeaders(200, responseHeaders, resume, 'OK');
  r.onComplete([]);
  sink += r.headers.length;
};

const batch = (n) => {
  // Ten exchanges per inbound request: the request context is the same for all of them.
  for (let i = 0; i < n; i += 10) {
    const res = fakeResponse();
    core.runServerRequest(fakeRequest(), res, () => {
      for (let j = 0; j < 10; j++) exchange();
    });
    res.emit('close');
  }
};
const timeBatch = (n) => {
  const t = process.hrtime.bigint();
  batch(n);
  return Number(process.hrtime.bigint() - t) / n;
};

for (let i = 0; i < 3; i++)
  for (const m of modes) {
    setMode(m);
    batch(batchSize * 2);
  }
const res = Object.fromEntries(modes.map((m) => [m, []]));
for (let c = 0; c < cycles; c++) {
  for (const m of c % 2 ? [...modes].reverse() : modes) {
    setMode(m);
    batch(200);
    res[m].push(timeBatch(batchSize));
  }
}
setMode('off');
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
// Interference from other processes only ever adds time: the 10th percentile is the steadiest.
const p10 = (a) => a.slice().sort((x, y) => x - y)[Math.floor(a.length / 10)];
const base = modes[0];
const paired = (m) => med(res[m].map((v, i) => v - res[base][i]));
if (process.env.JSON === '1') {
  console.log(
    JSON.stringify(
      Object.fromEntries(modes.map((m) => [m, { median: med(res[m]), p10: p10(res[m]), paired: paired(m) }])),
    ),
  );
  process.exit(0);
}
console.log(`${cycles} cycles × ${batchSize} exchanges per mode`);
for (const m of modes) {
  const d = paired(m);
  console.log(
    `${m.padEnd(28)} p10 ${p10(res[m]).toFixed(0).padStart(6)}  median ${med(res[m]).toFixed(0).padStart(6)} ns/exchange   p10 − ${base} p10: ${(p10(res[m]) - p10(res[base])).toFixed(0).padStart(6)}   paired median Δ: ${d >= 0 ? '+' : ''}${d.toFixed(0)}`,
  );
}
if (sink === 0) console.log('');
