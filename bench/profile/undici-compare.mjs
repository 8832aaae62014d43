// Compares builds of @sightline/undici, each in its own processes (no JIT state shared between
// builds), builds interleaved over rounds: every process runs undici-handlers.mjs with modes
// `off,on@build` and reports its paired `on − off` ns per exchange; medians over rounds printed.
//   node profile/undici-compare.mjs <rounds> <name=/abs/index.js> [<name=/abs/index.js> ...]
// CYCLES / BATCH set the per-process cycles and batch size (default 30 × 2000).
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const handlers = fileURLToPath(new URL('./undici-handlers.mjs', import.meta.url));
const rounds = Number(process.argv[2] ?? 6);
const builds = process.argv.slice(3).map((a) => a.split('='));
const res = Object.fromEntries(builds.map(([n]) => [n, { paired: [], p10: [] }]));
for (let r = 0; r < rounds; r++) {
  const order = r % 2 ? [...builds].reverse() : builds;
  for (const [name, mod] of order) {
    const out = execFileSync(
      'taskset',
      [
        '-c',
        process.env.CPU ?? '0',
        process.execPath,
        handlers,
        process.env.CYCLES ?? '30',
        process.env.BATCH ?? '2000',
        'off,on@x',
      ],
      { env: { ...process.env, UNDICI_BUILDS: `x=${mod}`, JSON: '1' }, encoding: 'utf8' },
    );
    const m = JSON.parse(out.trim().split('\n').pop());
    res[name].paired.push(m['on@x'].paired);
    res[name].p10.push(m['on@x'].p10 - m.off.p10);
    console.log(
      `round ${r + 1} ${name.padEnd(10)} paired on−off ${m['on@x'].paired.toFixed(0).padStart(6)} ns   p10 on−off ${(m['on@x'].p10 - m.off.p10).toFixed(0).padStart(6)} ns`,
    );
  }
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
for (const [name] of builds)
  console.log(
    `${name.padEnd(10)} median over rounds: paired on−off ${med(res[name].paired).toFixed(0).padStart(6)} ns/exchange   p10 on−off ${med(res[name].p10).toFixed(0).padStart(6)} ns/exchange`,
  );
