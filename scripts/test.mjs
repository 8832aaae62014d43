// `pnpm test`: every package's tests (and the published-shape check: publint + attw) through
// turbo, then one closing line for the whole run.
// Stale per-package reports are removed first so the total only counts this run (turbo
// restores the reports of cached packages).
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { reportFiles, summarize } from './test-summary.mjs';

for (const file of reportFiles()) rmSync(file, { force: true });
const turbo = spawnSync('turbo', ['run', 'check:package', 'test', '--concurrency=2', '--continue', ...process.argv.slice(2)], {
  stdio: 'inherit',
  shell: process.platform === 'win32',
});
const { failed } = summarize();
process.exit(turbo.status !== 0 || failed > 0 ? 1 : 0);
