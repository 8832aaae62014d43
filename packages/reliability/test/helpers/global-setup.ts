import { cpus } from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DURATIONS, MODE } from './mode.js';
import { RESULTS_DIR } from './results.js';

/** A fresh `.results/` per run, plus what the report needs to say about the run itself. */
export default function setup(): void {
  rmSync(RESULTS_DIR, { recursive: true, force: true });
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(
    join(RESULTS_DIR, '_run.json'),
    `${JSON.stringify(
      {
        mode: MODE,
        durations: DURATIONS,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        cpus: cpus().length,
        startedAt: new Date().toISOString(),
      },
      null,
      2,
    )}\n`,
  );
}
