// Sums every package's vitest JSON report into one 'N passed, N failed' line.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOTS = ['packages', 'examples', 'packages/nestjs/matrix', '.'];

export function reportFiles() {
  const files = [];
  for (const root of ROOTS) {
    if (!existsSync(root)) continue;
    const dirs = root === '.' ? ['bench'] : readdirSync(root);
    for (const dir of dirs) {
      const file = join(root, dir, '.vitest-results.json');
      if (existsSync(file)) files.push(file);
    }
  }
  return files;
}

export function summarize() {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for (const file of reportFiles()) {
    try {
      const r = JSON.parse(readFileSync(file, 'utf8'));
      const fileFailures = (r.testResults ?? []).filter((t) => t.status === 'failed' && !t.assertionResults?.length).length;
      passed += r.numPassedTests ?? 0;
      failed += (r.numFailedTests ?? 0) + fileFailures;
      skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
      console.log(`${file.replace('/.vitest-results.json', '')}: ${r.numPassedTests ?? 0} passed, ${(r.numFailedTests ?? 0) + fileFailures} failed`);
    } catch {
      failed += 1;
      console.log(`${file}: unreadable test report`);
    }
  }
  console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return { passed, failed, skipped };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  process.exitCode = summarize().failed > 0 ? 1 : 0;
}
