import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, assertBuilt } from './helpers/demo-env.js';

/** `pnpm demo --once` without the build step (turbo has built the packages before `test`). */
function runDemo(): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['scripts/demo.mjs', '--once'], {
      cwd: REPO_ROOT,
      env: { ...process.env, ALLSTAK_API_KEY: '', ALLSTAK_DSN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('the demo', () => {
  it('runs two services against the collector and exits 0 with a complete cross-service trace', async () => {
    assertBuilt();
    expect(
      existsSync(join(REPO_ROOT, 'packages/collector/dist/index.js')),
      'build @sightline/collector first',
    ).toBe(true);
    const { code, out } = await runDemo();
    expect(out).toMatch(/Cross-service trace [0-9a-f]{32}: complete/);
    expect(code, out).toBe(0);
    expect(out).toMatch(/collector\s+http:\/\/127\.0\.0\.1:\d+\s+\(UI: http:\/\/127\.0\.0\.1:\d+\/\)/);
    expect(out).toMatch(/spans\s+[1-9]\d*/);
    expect(out).toMatch(/logs\s+[1-9]\d*/);
    expect(out).toMatch(/http requests\s+[1-9]\d*/);
    // The handled error, the backend's 5xx and the gateway's bug, each attributed to its service.
    expect(out).toContain('SyntaxError');
    expect(out).toMatch(/Error: payment declined by processor\s+\[backend\]/);
    expect(out).toMatch(/TypeError: Cannot read properties of null.*\[gateway\]/);
    expect(out).toMatch(/502\s+POST \/api\/orders\/1\/pay/);
    expect(out).toMatch(/spans across (gateway -> backend|backend -> gateway)/);
    expect(out).toMatch(/open it: http:\/\/127\.0\.0\.1:\d+\/#\/traces\/[0-9a-f]{32}/);
  }, 60_000);
});
