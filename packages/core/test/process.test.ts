import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type IngestServer, TEST_API_KEY, startIngestServer } from '@sightline/testkit';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
const fixture = fileURLToPath(new URL('./process-fixtures/crash.mjs', import.meta.url));

let server: IngestServer;

beforeAll(() => {
  // The child runs plain node against the built package (turbo builds before test in CI).
  if (!existsSync(`${pkgDir}/dist/index.js`)) execFileSync('npx', ['tsup'], { cwd: pkgDir, stdio: 'ignore' });
}, 60_000);
beforeEach(async () => {
  server = await startIngestServer({ apiKey: TEST_API_KEY });
});
afterEach(async () => {
  await server.stop();
});

function run(mode: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [fixture, mode], {
      env: { ...process.env, ALLSTAK_API_KEY: TEST_API_KEY, ALLSTAK_HOST: server.url, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('process integration', () => {
  it('an uncaught exception reaches the server, crashes the session, prints the stack and exits 1', async () => {
    const { code, stderr } = await run('throw');
    expect(code).toBe(1);
    expect(stderr).toContain('RangeError: fatal from timer');
    expect(stderr).toMatch(/at Timeout\._onTimeout .*crash\.mjs/);
    const [event] = server.items('errors');
    expect(event).toMatchObject({
      exceptionClass: 'RangeError',
      message: 'fatal from timer',
      level: 'fatal',
      release: '9.9.9',
      metadata: { handled: false, mechanism: 'onuncaughtexception' },
    });
    expect(server.items('sessions/end')).toEqual([expect.objectContaining({ status: 'crashed' })]);
    expect(stderr).not.toContain(TEST_API_KEY);
  });

  it('an unhandled rejection is reported the same way', async () => {
    const { code, stderr } = await run('reject');
    expect(code).toBe(1);
    expect(stderr).toContain('unhandled rejection here');
    expect(server.items('errors')).toEqual([
      expect.objectContaining({ message: 'unhandled rejection here', metadata: expect.objectContaining({ mechanism: 'onunhandledrejection' }) }),
    ]);
  });

  it('leaves crash handling to the app when it has its own listener', async () => {
    const { code, stdout } = await run('own-listener');
    expect(code).toBe(0);
    expect(stdout).toContain('app handled: app listener sees this');
    expect(server.items('errors').map((e) => e.message)).toEqual(['app listener sees this']);
  });

  it('flushes on natural exit and ends the session ok', async () => {
    const { code } = await run('natural-exit');
    expect(code).toBe(0);
    expect(server.items('logs').map((l) => l.message)).toEqual(['last words before exit']);
    expect(server.items('sessions/end')).toEqual([expect.objectContaining({ status: 'ok' })]);
  });
});
