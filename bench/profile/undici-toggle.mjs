// CPU µs per outbound `fetch` with the outbound instrumentation switched on and off in ONE
// process, alternating short batches (a shared, noisy CPU drifts slowly; alternation cancels
// the drift, and paired differences per cycle are what is reported). Each fetch runs inside a
// fake inbound request (core's runServerRequest), like the /fetch route of the benchmark.
//   taskset -c 0 node profile/undici-toggle.mjs [cycles=40] [batch=400] [modes=off,on]
// The stub runs on CPU 1 (bench rig). Modes: `off` (integration disabled: channels unsubscribed),
// `on`, `on@BUILD` (below), and `on:NAME+NAME` which also sets globalThis.__slx = { NAME: true } for experiments
// with temporary knobs in a local build (the committed sources read no such knobs).
// CONC=8 parallel loops; ESM=0 loads the CommonJS build (what the bench servers run).
import { createRequire } from 'node:module';
import { PerformanceObserver } from 'node:perf_hooks';
import { benchInitOptions, inFakeRequest, instrumentationModes } from './lib.mjs';

const cycles = Number(process.argv[2] ?? 40);
const batch = Number(process.argv[3] ?? 400);
const modes = (process.argv[4] ?? 'off,on').split(',');
const conc = Number(process.env.CONC ?? 8);

const require = createRequire(import.meta.url);
const core = process.env.ESM === '0' ? require('@sightline/core') : await import('@sightline/core');
// UNDICI_MODULE=/abs/path/index.js measures another build (e.g. one that times its listeners);
// UNDICI_BUILDS='a=/abs/a/index.js,b=/abs/b/index.js' loads more builds side by side, for modes
// `on@a`, `on@b` (see undici-handlers.mjs for how to build them).
const STATE_KEY = Symbol.for('sightline.undici.instrumentation.v1');
const builds = {
  '': process.env.UNDICI_MODULE
    ? await import(process.env.UNDICI_MODULE)
    : process.env.ESM === '0'
      ? require('@sightline/undici')
      : await import('@sightline/undici'),
};
for (const pair of (process.env.UNDICI_BUILDS ?? '').split(',').filter(Boolean)) {
  const [name, path] = pair.split('=');
  // Each build keeps its own process-wide state (normally shared on purpose): one at a time is on.
  delete globalThis[STATE_KEY];
  builds[name] = await import(path);
}
const { startRig } = await import('../src/rig.mjs');
const rig = await startRig({ pin: true });
const url = rig.stubUrl;

core.init(benchInitOptions({ integrations: [] }));

const setMode = instrumentationModes(builds);

const wrap = (fn) => inFakeRequest(core, fn);
const one = async () => {
  const r = await fetch(url);
  const body = await r.json();
  if (body.price !== 42) throw new Error('bad stub answer');
};
const run = async (count) => {
  let left = count;
  const loop = async () => {
    while (left-- > 0) await wrap(one);
  };
  await Promise.all(Array.from({ length: conc }, loop));
};

for (const m of modes) {
  setMode(m);
  await run(1500);
}
let gcMs = 0;
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) gcMs += e.duration;
}).observe({ entryTypes: ['gc'] });
const res = Object.fromEntries(modes.map((m) => [m, []]));
const gc = Object.fromEntries(modes.map((m) => [m, []]));
for (let c = 0; c < cycles; c++) {
  const order = c % 2 ? [...modes].reverse() : modes;
  for (const m of order) {
    setMode(m);
    await run(50); // settle the switch before measuring
    const g0 = gcMs;
    const a = process.cpuUsage();
    await run(batch);
    const b = process.cpuUsage(a);
    await new Promise((r) => setImmediate(r)); // let the gc observer report
    res[m].push((b.user + b.system) / batch);
    gc[m].push(((gcMs - g0) * 1000) / batch);
  }
}
setMode('off');
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const base = modes[0];
console.log(`${cycles} cycles × ${batch} fetches per mode, conc ${conc}`);
for (const m of modes) {
  const diffs = res[m].map((v, i) => v - res[base][i]);
  console.log(
    `${m.padEnd(28)} median ${med(res[m]).toFixed(1).padStart(6)} µs/fetch (GC ${med(gc[m]).toFixed(1)})   paired Δ vs ${base}: median ${med(diffs).toFixed(1).padStart(6)}  (IQR ${
      diffs.length > 3
        ? `${diffs
            .slice()
            .sort((x, y) => x - y)
            [diffs.length >> 2].toFixed(1)}…${diffs
            .slice()
            .sort((x, y) => x - y)
            [(3 * diffs.length) >> 2].toFixed(1)}`
        : '-'
    })`,
  );
}
const T = globalThis.__slxT;
if (T?.n)
  console.log(
    `in the listeners (a build that times them, see undici-insitu.mjs): create ${(T.create / T.n / 1e3).toFixed(2)} µs, headers ${(T.headers / T.n / 1e3).toFixed(2)} µs, trailers ${(T.trailers / T.n / 1e3).toFixed(2)} µs per exchange over ${T.n}`,
  );
await rig.stop();
process.exit(0);
