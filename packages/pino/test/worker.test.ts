import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TEST_API_KEY, useIngest } from '@sightline/testkit';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const pkgDir = join(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the package's node_modules, so the bundles resolve `pino` and `pino-abstract-transport`
// like the package does, and nothing lands in the source tree.
const outDir = join(pkgDir, 'node_modules', '.cache', `sightline-worker-test-${process.pid}`);
const t = useIngest({ release: '1.0.0' }, 500);

/**
 * Worker threads load plain JavaScript, not this repo's TypeScript sources, and dist/ may be stale
 * (or absent) while the package is being developed: bundle the transport entry and the fixture
 * app, with @sightline/core compiled in from source, so the test always runs the current code.
 */
beforeAll(async () => {
  await build({
    entry: { transport: 'src/transport.ts', 'worker-app': 'test/fixtures/worker-app.ts' },
    outDir,
    format: ['cjs'],
    platform: 'node',
    target: 'node20',
    bundle: true,
    splitting: false,
    dts: false,
    sourcemap: false,
    clean: true,
    silent: true,
    config: false,
    external: ['pino', 'pino9', 'pino-abstract-transport'],
    noExternal: ['@sightline/core'],
    esbuildOptions(o) {
      o.conditions = ['sightline-source'];
    },
  });
}, 60_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function runApp(
  args: string[],
  pinoModule: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(outDir, 'worker-app.cjs'), ...args],
      { env: { ...process.env, SIGHTLINE_TEST_KEY: TEST_API_KEY, PINO_MODULE: pinoModule }, timeout: 30_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe.each([
  ['pino 10', 'pino'],
  ['pino 9', 'pino9'],
])('worker-thread transport with %s', (_name, pinoModule) => {
  it.each([
    ['the event loop emptying', 'natural'],
    ['process.exit()', 'exit'],
  ])(
    'delivers every line after logger.flush() and an exit by %s, correlated by the mixin',
    async (_how, mode) => {
      const N = 150;
      const run = await runApp([join(outDir, 'transport.cjs'), t.server.url, String(N), mode], pinoModule);
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      const failing = lines.find((l) => l.error).error as { traceId: string };
      const expected = lines.find((l) => l.expected).expected as {
        i: number;
        traceId: string;
        spanId: string;
        requestId: string;
      }[];
      // Everything arrived before the child exited: no waiting here.
      const logs = t.server.items('logs');
      const events = t.server.items('errors');
      expect(t.server.invalid).toEqual([]);
      expect(logs).toHaveLength(N + 1);
      for (const want of expected) {
        const log = logs.find((l) => l.metadata?.i === want.i);
        expect(log).toMatchObject({
          level: 'info',
          message: `line ${want.i}`,
          traceId: want.traceId,
          spanId: want.spanId,
          requestId: want.requestId,
          release: '1.0.0',
          environment: 'test',
          metadata: { i: want.i, job: { kind: 'sync' } },
        });
        expect(log.metadata).not.toHaveProperty('trace_id');
      }
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        exceptionClass: 'Error',
        message: 'worker boom',
        level: 'error',
        traceId: failing.traceId,
        requestId: 'req-err',
        metadata: {
          mechanism: 'pino',
          'cause.0.exceptionClass': 'TypeError',
          'cause.0.message': 'root cause',
        },
      });
      expect(events[0].stackTrace.join('\n')).toContain('worker-app');
      const errorLog = logs.find((l) => l.level === 'error');
      expect(errorLog.metadata).toMatchObject({
        'error.type': 'Error',
        'error.message': 'worker boom',
        'error.cause.0.type': 'TypeError',
      });
      expect(`${run.stdout}${run.stderr}`).not.toContain(TEST_API_KEY);
    },
  );
});
