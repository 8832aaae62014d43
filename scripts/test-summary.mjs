// Prints one closing line for the whole monorepo from each package's vitest JSON report.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const roots = ['packages', 'examples', 'packages/nestjs/matrix'];
let passed = 0;
let failed = 0;
let skipped = 0;
const rows = [];
for (const root of roots) {
  if (!existsSync(root)) continue;
  for (const dir of readdirSync(root)) {
    const file = join(root, dir, '.vitest-results.json');
    if (!existsSync(file)) continue;
    try {
      const r = JSON.parse(readFileSync(file, 'utf8'));
      passed += r.numPassedTests ?? 0;
      failed += (r.numFailedTests ?? 0) + (r.success === false && !r.numFailedTests ? 1 : 0);
      skipped += (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
      rows.push(`${join(root, dir)}: ${r.numPassedTests ?? 0} passed, ${r.numFailedTests ?? 0} failed`);
    } catch {
      failed += 1;
      rows.push(`${join(root, dir)}: unreadable test report`);
    }
  }
}
console.log(rows.join('\n'));
console.log(`tests: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 ? 1 : 0;
