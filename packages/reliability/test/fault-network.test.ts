import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { init } from '@sightline/core';
import { TEST_API_KEY, collectOutput } from '@sightline/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type FaultSpec,
  MAX_BACKOFF_TOTAL_MS,
  SDK_MAX_RETRIES,
  recordAndCheckCommon,
  runFault,
} from './helpers/fault.js';
import { type Harness, drive, latencySummary, sleep } from './helpers/harness.js';
import { DURATIONS, MODE, SDK_DEFAULT_REQUEST_TIMEOUT_MS } from './helpers/mode.js';
import { record } from './helpers/results.js';

/**
 * Faults below HTTP: a backend that answers too late, resets connections, writes non-HTTP
 * bytes, or speaks TLS with a certificate nobody trusts.
 */

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});
const keep = (x: Harness) => {
  h = x;
};
const timeoutMs = DURATIONS.requestTimeoutMs ?? SDK_DEFAULT_REQUEST_TIMEOUT_MS;

describe('fault: network-level failures', () => {
  it(`slow backend (answers after ${DURATIONS.slowMs / 1000} s, request deadline ${timeoutMs / 1000} s): the app does not wait, attempts are bounded`, async () => {
    const spec: FaultSpec = {
      inject: (s) => s.respond({ delayMs: DURATIONS.slowMs }),
      injected: `every ingest request answered only after ${DURATIONS.slowMs} ms; transport request deadline ${timeoutMs} ms${MODE === 'ci' ? ' (shortened for CI)' : ' (SDK default)'}`,
      observeMs: (1 + SDK_MAX_RETRIES) * timeoutMs + MAX_BACKOFF_TOTAL_MS + 1000,
    };
    const run = await runFault(spec, keep);
    recordAndCheckCommon(
      spec,
      run,
      'the app never waited on the backend; timed-out requests were retried a bounded number of times, then given up',
      {
        'answer delay (ms)': DURATIONS.slowMs,
        'request deadline (ms)': timeoutMs,
      },
    );
    const total = (k: 'delivered' | 'droppedRetriesExhausted') =>
      Object.values(run.deltas).reduce((n, d) => n + d[k], 0);
    // The retry bound was reached and enforced (items given up, not retried forever) ...
    expect(total('droppedRetriesExhausted')).toBeGreaterThan(0);
    // ... and with a deadline shorter than the answer, nothing counts as delivered. (Soak mode
    // races a 10 s answer against the 10 s default deadline: either outcome is fine there.)
    if (DURATIONS.slowMs > timeoutMs) expect(total('delivered')).toBe(0);
    // Requests still inside the executor at close() end by their own deadline, and are counted.
    await sleep(timeoutMs + 300);
    const settled = run.h.transport();
    for (const [kind, c] of Object.entries(settled.categories)) {
      expect(c.inFlight, kind).toBe(0);
      expect(c.queued, kind).toBe(0);
      expect(c.delivered + c.dropped, kind).toBe(c.enqueued + c.droppedQueueFull);
    }
  });

  for (const behaviour of ['reset', 'garbage'] as const) {
    it(`${behaviour === 'reset' ? 'connection reset on every request' : 'non-HTTP bytes in answer to every request'}: retried a bounded number of times, then dropped`, async () => {
      const spec: FaultSpec = {
        inject: (s) => s.respond(behaviour),
        injected:
          behaviour === 'reset'
            ? 'every ingest connection reset (RST) after the body was read'
            : 'every ingest request answered with non-HTTP garbage bytes, then closed',
        observeMs: MAX_BACKOFF_TOTAL_MS + 1000,
      };
      const run = await runFault(spec, keep);
      recordAndCheckCommon(
        spec,
        run,
        `network errors retried at most ${SDK_MAX_RETRIES} times per item, then dropped and counted`,
      );
      expect(run.deltas.errors!.droppedRetriesExhausted).toBe(run.deltas.errors!.enqueued);
      expect(run.maxAttemptsPerItem).toBe(1 + SDK_MAX_RETRIES);
    });
  }
});

describe('fault: TLS to a self-signed host', () => {
  const haveOpenssl = (() => {
    try {
      execFileSync('openssl', ['version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it('drops the items with a counted, clear error in debug output; no crash, the app keeps serving', async () => {
    if (!haveOpenssl) {
      // Node has no certificate generator; without openssl the case cannot be set up.
      record({
        group: 'fault',
        injected: 'TLS to a self-signed host',
        outcome: 'SKIPPED: openssl not found on PATH, no self-signed certificate could be generated',
      });
      console.warn('[reliability] openssl not found: the self-signed TLS case was not run');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'sightline-tls-'));
    let tls: https.Server | undefined;
    const out = collectOutput();
    try {
      execFileSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=localhost', '-days', '1'].concat([
          '-keyout',
          join(dir, 'key.pem'),
          '-out',
          join(dir, 'cert.pem'),
        ]),
        { stdio: 'ignore' },
      );
      let handshakesRejected = 0;
      let requestsReceived = 0;
      tls = https.createServer(
        { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
        (req, res) => {
          requestsReceived++;
          req.resume();
          res.end('{}');
        },
      );
      tls.on('tlsClientError', () => handshakesRejected++);
      await new Promise<void>((r) => tls!.listen(0, '127.0.0.1', r));
      const host = `https://127.0.0.1:${(tls.address() as AddressInfo).port}`;

      const { startHarness } = await import('./helpers/harness.js');
      h = await startHarness({ errorEvery: 50, sdk: { host, debug: true } });
      const load = await drive(h.appUrl, { count: 100, concurrency: 4 });
      await sleep(MAX_BACKOFF_TOTAL_MS + 1000);
      const closedOk = await h.client.close(1000);
      const stats = h.transport();
      const text = out.text();
      const errors = stats.categories.errors!;
      const lat = latencySummary(load);
      const certLine = text.split('\n').find((l) => /certificate/i.test(l)) ?? '';
      record({
        group: 'fault',
        injected: `host ${host.replace(/\d+$/, '<port>')} served by an https server with a freshly generated self-signed certificate`,
        counts: Object.fromEntries(
          ['errors', 'logs', 'spans', 'http-requests'].map((k) => {
            const c = stats.categories[k]!;
            return [
              k,
              {
                sent: c.enqueued,
                delivered: c.delivered,
                dropped: c.dropped,
                droppedRetriesExhausted: c.droppedRetriesExhausted,
                droppedClosed: c.droppedClosed,
              },
            ];
          }),
        ),
        latency: { ...lat, bound: 'every request answered; max < 250 ms' },
        figures: {
          'handshakes rejected by the client': handshakesRejected,
          'requests that reached the server': requestsReceived,
          'debug line': certLine.replace(/^\s*\[sightline\]\s*/, '').slice(0, 160),
        },
        outcome:
          'no item was sent over the untrusted connection; each was retried a bounded number of times and dropped with a clear debug message',
      });
      expect(load.failed).toBe(0);
      expect(lat.max).toBeLessThan(250);
      expect(requestsReceived).toBe(0);
      expect(handshakesRejected).toBeGreaterThan(0);
      expect(stats.categories.errors!.delivered + stats.categories.logs!.delivered).toBe(0);
      expect(errors.droppedRetriesExhausted).toBe(errors.enqueued);
      expect(errors.enqueued).toBe(2);
      expect(closedOk).toBe(false); // logs were still being retried: close gave up on them, counted
      expect(text).toMatch(/\[sightline\] allstak: \S+: network error: self[- ]signed certificate/);
      expect(text).toMatch(/dropped \d+ item\(s\) after 3 retries/);
      expect(text).not.toContain(TEST_API_KEY);
    } finally {
      out.restore();
      await h?.stop();
      h = undefined;
      if (tls) {
        tls.closeAllConnections();
        await new Promise((r) => tls!.close(r));
      }
      rmSync(dir, { recursive: true, force: true });
    }
    // A disabled follow-up init proves the process is fine and the hub can be reset.
    expect(init({ defaultIntegrations: false }).enabled).toBe(false);
  });
});
