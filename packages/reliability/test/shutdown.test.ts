import { captureException, logger, startSpan } from '@sightline/core';
import { type IngestServer, TEST_API_KEY, startIngestServer } from '@sightline/testkit';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './helpers/build.js';
import { runScript } from './helpers/child.js';
import { type Harness, startHarness } from './helpers/harness.js';
import { record } from './helpers/results.js';

/**
 * Shutdown: close(timeout) drains what is queued and is bounded even when the backend hangs; a
 * process that exits naturally flushes; a crash is reported and the exit code is preserved.
 */

let h: Harness | undefined;
let server: IngestServer | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
  await server?.stop();
  server = undefined;
});

function captureSome(n: number): void {
  for (let i = 0; i < n; i++) {
    logger.info(`queued log ${i}`, { i });
    startSpan({ name: `queued span ${i}` }, () => {});
  }
  captureException(new Error('queued error'));
}

describe('close(timeout)', () => {
  it('drains everything queued, batches waiting for their interval included', async () => {
    h = await startHarness({ sdk: { flushInterval: 60_000, maxBatchSize: 1000 } });
    captureSome(50);
    const start = Date.now();
    const ok = await h.client.close(2000);
    const took = Date.now() - start;
    const t = h.transport();
    const counts = Object.fromEntries(
      (['errors', 'logs', 'spans'] as const).map((k) => [
        k,
        {
          sent: t.categories[k]!.enqueued,
          delivered: h!.server.items(k).length,
          dropped: t.categories[k]!.dropped,
        },
      ]),
    );
    record({
      group: 'shutdown',
      injected:
        '50 logs, 50 spans (waiting for a 60 s flushInterval) and 1 error queued, then close(2000) with a healthy backend',
      counts,
      figures: { 'close() resolved': String(ok), 'close() took (ms)': took },
      outcome: 'close() resolved true once every queued item was delivered',
    });
    expect(ok).toBe(true);
    expect(took).toBeLessThan(2000);
    expect(counts).toEqual({
      errors: { sent: 1, delivered: 1, dropped: 0 },
      logs: { sent: 50, delivered: 50, dropped: 0 },
      spans: { sent: 50, delivered: 50, dropped: 0 },
    });
    // Closed means closed: later calls are quiet no-ops.
    expect(captureException(new Error('after close'))).toBeUndefined();
    expect(() => logger.error('after close')).not.toThrow();
  });

  it('resolves within its timeout when the backend hangs, and counts what it gave up on', async () => {
    h = await startHarness({ sdk: { flushInterval: 60_000 } });
    h.server.respond('hang');
    captureSome(20);
    const timeout = 500;
    const start = Date.now();
    const ok = await h.client.close(timeout);
    const took = Date.now() - start;
    const t = h.transport();
    const cats = Object.entries(t.categories).filter(([, c]) => c.enqueued > 0);
    record({
      group: 'shutdown',
      injected:
        'backend accepts connections but never answers; 20 logs, 20 spans, 1 error queued; close(500)',
      counts: Object.fromEntries(
        cats.map(([k, c]) => [
          k,
          {
            sent: c.enqueued,
            delivered: c.delivered,
            dropped: c.dropped,
            droppedClosed: c.droppedClosed,
            stillInFlight: c.inFlight,
          },
        ]),
      ),
      figures: { 'close() resolved': String(ok), 'close() took (ms)': took, timeout },
      outcome: 'close() resolved false at its timeout; queued items counted as droppedClosed',
    });
    expect(ok).toBe(false);
    expect(took).toBeGreaterThanOrEqual(timeout - 5);
    expect(took).toBeLessThan(timeout + 250);
    for (const [k, c] of cats) {
      expect(c.delivered, k).toBe(0);
      expect(c.droppedClosed + c.inFlight, k).toBe(c.enqueued);
    }
  });
});

describe('process exit', () => {
  beforeAll(() => ensureBuilt(), 300_000);

  const env = () => ({ ALLSTAK_API_KEY: TEST_API_KEY, ALLSTAK_HOST: server!.url, SL_SHUTDOWN_MS: '1000' });

  it('a process that exits naturally flushes (and keeps its own exit code)', async () => {
    server = await startIngestServer({ apiKey: TEST_API_KEY });
    const plain = await runScript('shutdown-app.mjs', ['natural'], env());
    const plainItems = {
      logs: server.items('logs').length,
      spans: server.items('spans').length,
      errors: server.items('errors').length,
      sessionEnd: server
        .items('sessions/end')
        .map((s) => s.status)
        .join(','),
    };
    server.clear();
    const withCode = await runScript('shutdown-app.mjs', ['exit-code'], env());
    record({
      group: 'shutdown',
      injected:
        'child process captures 5 logs, 1 span (flushInterval 60 s), 1 error, then simply runs out of work; again with process.exitCode = 3',
      counts: {
        logs: { sent: 5, delivered: plainItems.logs, dropped: 5 - plainItems.logs },
        spans: { sent: 1, delivered: plainItems.spans, dropped: 1 - plainItems.spans },
        errors: { sent: 1, delivered: plainItems.errors, dropped: 1 - plainItems.errors },
      },
      figures: {
        'exit code (natural)': String(plain.code),
        'exit code (process.exitCode = 3)': String(withCode.code),
        'process lifetime (ms)': plain.ms,
        'session ended as': plainItems.sessionEnd,
      },
      outcome: 'beforeExit flushed everything; the exit code was left alone',
    });
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe('');
    // The handled error marks the session errored (PROTOCOL.md), not crashed.
    expect(plainItems).toEqual({ logs: 5, spans: 1, errors: 1, sessionEnd: 'errored' });
    expect(withCode.code).toBe(3);
    expect(server.items('logs')).toHaveLength(5);
    expect(server.invalid).toEqual([]);
  });

  it('a crash (uncaught exception or unhandled rejection) is reported, flushed, and exits 1 with the stack printed', async () => {
    server = await startIngestServer({ apiKey: TEST_API_KEY });
    const crash = await runScript('shutdown-app.mjs', ['crash'], env());
    const crashErrors = server.items('errors');
    const crashLogs = server.items('logs').length;
    const crashSession = server
      .items('sessions/end')
      .map((s) => s.status)
      .join(',');
    server.clear();
    const reject = await runScript('shutdown-app.mjs', ['reject'], env());
    const rejectErrors = server.items('errors');
    record({
      group: 'shutdown',
      injected: 'child process throws from a timer; again with a promise rejected and never handled',
      counts: {
        errors: { sent: 2, delivered: crashErrors.length, dropped: 2 - crashErrors.length },
        logs: { sent: 5, delivered: crashLogs, dropped: 5 - crashLogs },
      },
      figures: {
        'exit code (throw)': String(crash.code),
        'exit code (rejection)': String(reject.code),
        'fatal event mechanism': crashErrors.find((e) => e.level === 'fatal')?.metadata?.mechanism ?? 'none',
        'session ended as': crashSession,
        'stack printed on stderr': crash.stderr.includes('RangeError: fatal in a timer'),
      },
      outcome:
        "the crash arrived as a fatal event with everything captured before it; Node's exit code 1 and stack output were kept",
    });
    expect(crash.code).toBe(1);
    expect(crash.stderr).toContain('RangeError: fatal in a timer');
    expect(crashErrors.map((e) => [e.message, e.level])).toEqual(
      expect.arrayContaining([
        ['handled before the end', 'error'],
        ['fatal in a timer', 'fatal'],
      ]),
    );
    expect(crashErrors.find((e) => e.level === 'fatal')!.metadata).toMatchObject({
      handled: false,
      mechanism: 'onuncaughtexception',
    });
    expect(crashLogs).toBe(5);
    expect(crashSession).toBe('crashed');
    expect(reject.code).toBe(1);
    expect(reject.stderr).toContain('rejected and never handled');
    expect(rejectErrors.find((e) => e.level === 'fatal')).toMatchObject({
      message: 'rejected and never handled',
      metadata: expect.objectContaining({ mechanism: 'onunhandledrejection' }),
    });
    expect(crash.stderr + reject.stderr).not.toContain(TEST_API_KEY);
  });

  it('with a hanging backend, both the crash and the natural exit stay within shutdownTimeout', async () => {
    server = await startIngestServer({ apiKey: TEST_API_KEY });
    server.respond('hang');
    const crash = await runScript('shutdown-app.mjs', ['crash'], env());
    const natural = await runScript('shutdown-app.mjs', ['natural'], env());
    record({
      group: 'shutdown',
      injected:
        'backend accepts connections but never answers; shutdownTimeout 1000 ms; child crashes, then a child exits naturally',
      figures: {
        'crash: exit code': String(crash.code),
        'crash: process lifetime (ms)': crash.ms,
        'natural: exit code': String(natural.code),
        'natural: process lifetime (ms)': natural.ms,
      },
      outcome:
        'both processes ended about shutdownTimeout after their last work, with their normal exit codes',
    });
    expect(crash.code).toBe(1);
    expect(crash.stderr).toContain('RangeError: fatal in a timer');
    expect(natural.code).toBe(0);
    // Node start-up (~100-300 ms) + 1000 ms of bounded flush + slack for a busy machine.
    expect(crash.ms).toBeLessThan(3500);
    expect(natural.ms).toBeLessThan(3500);
    expect(crash.ms).toBeGreaterThanOrEqual(1000);
  });
});
