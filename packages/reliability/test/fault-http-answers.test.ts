import { afterEach, describe, expect, it } from 'vitest';
import {
  type FaultSpec,
  MAX_BACKOFF_TOTAL_MS,
  SDK_MAX_RETRIES,
  recordAndCheckCommon,
  runFault,
} from './helpers/fault.js';
import { type Harness, delta, drive, sleep, startHarness, until } from './helpers/harness.js';
import { record } from './helpers/results.js';

/**
 * The backend answers, but not with a 2xx: 500s, 413, a 2xx with a garbage body, and 429 with
 * Retry-After in both forms. The SDK runs with its default retry policy.
 */

let h: Harness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});
const keep = (x: Harness) => {
  h = x;
};

describe('fault: the backend answers with errors', () => {
  it('500 on every request: retries are bounded, then the items are dropped and counted', async () => {
    const spec: FaultSpec = {
      inject: (s) => s.respond({ status: 500 }),
      injected: 'every ingest request answered 500',
      observeMs: MAX_BACKOFF_TOTAL_MS + 1000,
    };
    const run = await runFault(spec, keep);
    recordAndCheckCommon(
      spec,
      run,
      `each item tried at most ${1 + SDK_MAX_RETRIES} times, then dropped as droppedRetriesExhausted`,
    );
    const errors = run.deltas.errors!;
    expect(errors.enqueued).toBe(2);
    expect(errors.droppedRetriesExhausted).toBe(errors.enqueued);
    expect(run.maxAttemptsPerItem).toBe(1 + SDK_MAX_RETRIES);
    for (const c of Object.values(run.counts)) expect(c.delivered).toBe(0);
  });

  it('413 Payload Too Large: dropped at once as permanent, never retried', async () => {
    const spec: FaultSpec = {
      inject: (s) => s.respond({ status: 413, body: '{"error":"too large"}' }),
      injected: 'every ingest request answered 413',
      observeMs: 500,
    };
    const run = await runFault(spec, keep);
    recordAndCheckCommon(
      spec,
      run,
      'every item dropped at the first answer (droppedPermanent), zero retries',
    );
    expect(run.maxAttemptsPerItem).toBe(1);
    for (const [kind, d] of Object.entries(run.deltas)) {
      expect(d.retries, kind).toBe(0);
      expect(d.droppedPermanent, kind).toBe(d.enqueued);
    }
  });

  it('a 2xx with a garbage (and large) body: delivered, body ignored', async () => {
    const spec: FaultSpec = {
      inject: (s) =>
        s.respond({
          status: 200,
          body: `<html>not json ${'\u0000\uffff'.repeat(1000)}${'x'.repeat(256 * 1024)}`,
        }),
      injected: 'every ingest request answered 200 with a 256 KiB non-JSON body',
      observeMs: 500,
    };
    const run = await runFault(spec, keep);
    recordAndCheckCommon(spec, run, 'everything delivered; the body was drained and ignored');
    for (const [kind, d] of Object.entries(run.deltas)) {
      expect(d.delivered, kind).toBe(d.enqueued);
      expect(d.retries, kind).toBe(0);
    }
  });
});

describe('fault: 429 holds only its category', () => {
  for (const form of ['seconds', 'HTTP-date'] as const) {
    it(`Retry-After as ${form}: errors wait it out, the other categories keep flowing`, async () => {
      h = await startHarness({ errorEvery: 5 });
      const { server, client } = h;
      await drive(h.appUrl, { count: 50, concurrency: 4 });
      expect(await client.flush(5000)).toBe(true);
      server.clear();
      const before = h.transport();
      const retryAfter = form === 'seconds' ? '1' : new Date(Date.now() + 2000).toUTCString();
      server.respondNext(1, { status: 429, headers: { 'retry-after': retryAfter } }, 'errors');

      // Requests keep coming for 1.5 s: errors are captured during the hold, and so are logs.
      const load = drive(h.appUrl, { durationMs: 1500, concurrency: 1, paceMs: 20 });
      await until(() => server.attempts.some((a) => a.status === 429), 3000, 'a 429');
      const limitedAt = server.attempts.find((a) => a.status === 429)!.at;
      await sleep(100);
      const during = h.transport().categories;
      const done = await load;
      expect(await client.flush(6000)).toBe(true);

      const errorAttempts = server.attempts.filter((a) => a.kind === 'errors');
      const afterHold = errorAttempts.filter((a) => a.at > limitedAt);
      const heldFor = (afterHold[0]?.at ?? Number.NaN) - limitedAt;
      const logsDuringHold = server.requests.filter(
        (r) => r.kind === 'logs' && r.at > limitedAt && r.at < limitedAt + 900,
      ).length;
      const after = h.transport();
      const kinds = ['errors', 'logs', 'spans', 'http-requests'] as const;
      const d = Object.fromEntries(kinds.map((k) => [k, delta(before, after, k)]));
      record({
        group: 'fault',
        injected: `one 429 on /errors with Retry-After: ${form === 'seconds' ? '1 (seconds)' : 'an HTTP-date 2 s ahead'}, 200 everywhere else`,
        counts: Object.fromEntries(
          kinds.map((k) => [
            k,
            {
              sent: d[k]!.enqueued + d[k]!.droppedQueueFull,
              delivered: server.items(k).length,
              dropped: after.categories[k]!.dropped - before.categories[k]!.dropped,
            },
          ]),
        ),
        figures: {
          'errors held for (ms)': heldFor,
          'logs delivered during the hold': logsDuringHold,
          'only errors rate-limited in getStats()':
            during.errors!.rateLimitedUntil > 0 && during.logs!.rateLimitedUntil === 0,
          'app requests failed': done.failed,
        },
        outcome:
          'errors resent only after Retry-After; logs, spans and records flowed during the hold; nothing lost',
      });

      expect(done.failed).toBe(0);
      expect(during.errors!.rateLimitedUntil).toBeGreaterThan(0);
      for (const k of ['logs', 'spans', 'http-requests', 'releases'])
        expect(during[k]!.rateLimitedUntil, k).toBe(0);
      // Held for Retry-After (HTTP-dates have 1 s resolution: at least 1 s is left of "2 s ahead").
      expect(heldFor).toBeGreaterThanOrEqual(950);
      expect(heldFor).toBeLessThan(form === 'seconds' ? 2500 : 3500);
      expect(logsDuringHold).toBeGreaterThan(0);
      // Nothing lost: every error captured, before or during the hold, arrived.
      for (const k of kinds) {
        expect(after.categories[k]!.dropped - before.categories[k]!.dropped, k).toBe(0);
        expect(server.items(k).length, k).toBe(d[k]!.enqueued);
      }
      expect(d.errors!.enqueued).toBeGreaterThan(1);
      expect(server.invalid).toEqual([]);
    });
  }
});
