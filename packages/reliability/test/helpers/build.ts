import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { RESULTS_DIR } from './results.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');
const DISTS = ['packages/core/dist/index.js', 'packages/express/dist/index.js'].map((p) => join(ROOT, p));
const MARKER = join(RESULTS_DIR, '_built');

/**
 * Child processes run plain `node` against the BUILT packages, like a user's app would. CI's turbo
 * builds before testing; locally, turbo's cache makes this a no-op unless sources changed. One
 * build per run (the marker), serialized across vitest workers with flock.
 */
export function ensureBuilt(): void {
  if (existsSync(MARKER) && DISTS.every(existsSync)) return;
  // Under turbo (CI, `pnpm test`) the dependencies' build task already ran: no nested turbo.
  if (process.env.TURBO_HASH && DISTS.every(existsSync)) return;
  const cmd = `test -e '${MARKER}' || (npx turbo run build --filter=@sightline/express... --output-logs=errors-only && touch '${MARKER}')`;
  try {
    execFileSync('flock', ['/tmp/sightline-reliability-build.lock', 'sh', '-c', cmd], {
      cwd: ROOT,
      stdio: 'ignore',
      env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' },
      timeout: 240_000,
    });
  } catch (err) {
    // A half-edited source tree elsewhere in the monorepo must not stop these tests when a
    // previous build is there to run against.
    if (!DISTS.every(existsSync)) throw err;
    console.warn(
      `[reliability] build failed, testing the existing dist/: ${(err as Error).message.slice(0, 200)}`,
    );
    writeFileSync(MARKER, 'stale\n');
  }
}
