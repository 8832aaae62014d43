#!/usr/bin/env node
// `pnpm bench [--quick] [--only=macro,micro,memory,coldstart] [--frameworks=express,fastify]
//   [--variants=bare,sightline-100] [--rounds=N] [--duration=S] [--no-pin] [--no-write] [--seed=N]`
// Runs the benchmark against the BUILT workspace packages (the root `pnpm bench` script builds
// them first), writes results/<date>.json and regenerates RESULTS.md from it.
// `node src/run.mjs --report results/<file>.json` only regenerates RESULTS.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { BENCH_ROOT, FRAMEWORKS, MODES, VARIANTS } from './config.mjs';
import { runColdStart } from './coldstart.mjs';
import { runMacro } from './macro.mjs';
import { runMemory } from './memory.mjs';
import { runMicro } from './micro.mjs';
import { renderResults } from './report.mjs';
import { startRig } from './rig.mjs';

function parseArgs(argv) {
  const args = { flags: new Set(), values: {} };
  for (const a of argv) {
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    if (eq === -1) args.flags.add(a.slice(2));
    else args.values[a.slice(2, eq)] = a.slice(eq + 1);
  }
  return args;
}

const list = (v, all) =>
  v
    ? v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : all;

function writeReport(jsonPath, results) {
  const md = renderResults(results, jsonPath);
  writeFileSync(join(BENCH_ROOT, 'RESULTS.md'), md);
  return md;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.values.report) {
    const file = args.values.report;
    writeReport(file, JSON.parse(readFileSync(join(BENCH_ROOT, file), 'utf8')));
    console.log(`RESULTS.md regenerated from ${file}`);
    return;
  }
  const modeName = args.flags.has('quick') ? 'quick' : 'full';
  const mode = structuredClone(MODES[modeName]);
  if (args.values.rounds) mode.rounds = Number(args.values.rounds);
  if (args.values.duration) mode.durationSec = Number(args.values.duration);
  const parts = list(args.values.only, ['macro', 'micro', 'memory', 'coldstart']);
  const frameworks = list(args.values.frameworks, FRAMEWORKS);
  const variantIds = list(
    args.values.variants,
    VARIANTS.map((v) => v.id),
  );
  const variants = VARIANTS.filter((v) => v.id === 'bare' || variantIds.includes(v.id));
  const seed = Number(args.values.seed ?? Date.now() % 1_000_000);
  const log = (m) => console.log(m);
  const started = Date.now();

  const rig = await startRig({ pin: !args.flags.has('no-pin') });
  log(
    `Sightline bench (${modeName}) — node ${process.version}, ${rig.cpus} CPU(s), ${rig.pinned ? 'servers pinned to CPU 0, sink/stub/load generator to CPU 1' : 'no CPU pinning'}, seed ${seed}`,
  );
  const results = {
    schema: 1,
    mode: modeName,
    startedAt: new Date(started).toISOString(),
    seed,
    machine: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: rig.cpus,
      cpuModel: cpus()[0]?.model ?? 'unknown',
      memoryGB: Math.round(totalmem() / 2 ** 30),
      pinned: rig.pinned,
      loadAverageAtStart: (await import('node:os')).loadavg().map((x) => Math.round(x * 100) / 100),
    },
    settings: mode,
    macro: null,
    micro: null,
    memory: null,
    coldStart: null,
  };
  try {
    if (parts.includes('macro'))
      results.macro = await runMacro(rig, mode, { frameworks, variants, seed, log });
    if (parts.includes('micro')) results.micro = await runMicro(mode.micro, { log, pinned: rig.pinned });
    if (parts.includes('memory')) results.memory = await runMemory(rig, mode.memory, { log });
    if (parts.includes('coldstart')) results.coldStart = await runColdStart(mode.coldStart, { log });
  } finally {
    await rig.stop();
  }
  results.durationSec = Math.round((Date.now() - started) / 1000);
  if (!args.flags.has('no-write')) {
    const file = args.values.out ?? `results/${results.startedAt.slice(0, 10)}.json`;
    mkdirSync(dirname(join(BENCH_ROOT, file)), { recursive: true });
    writeFileSync(join(BENCH_ROOT, file), `${JSON.stringify(results, null, 2)}\n`);
    const md = writeReport(file, results);
    log(`\nwrote ${file} and RESULTS.md (${results.durationSec} s)\n`);
    log(md);
  } else {
    log(
      JSON.stringify(
        results.macro?.map((f) => ({
          f: f.framework,
          v: f.variants.map((v) => [v.id, v.ratio, v.p99, v.status]),
        })),
      ),
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
