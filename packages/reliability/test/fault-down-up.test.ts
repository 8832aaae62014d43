import type { TransportStats } from '@sightline/core';
import { afterEach, describe, expect, it } from 'vitest';
import {
  APP_KINDS,
  type Harness,
  delta,
  drive,
  latencySummary,
  sleep,
  startHarness,
} from './helpers/harness.js';
import { DURATIONS, MODE } from './helpers/mode.js';
import { type Counts, record } from './helpers/results.js';

/**
 * "Backend down for 30 s then back" (CI mode: DURATIONS.downMs). The SDK runs with its default
 * transport policy; only the queue bound is lowered (200 per category) so the outage overflows it
 * with a few hundred requests. Everything captured while down that fit in the bound must arrive
 * after recovery; the rest is dropped, counted and visible in getStats().
 */

const QUEUE = 200;
const BURST = 600;
let h: Harness | undefined;

afterEach(async () => {
  await h?.stop();
  h = undefined;
});

describe('fault: backend down, then back', () => {
  it(`keeps serving, delivers everything within the bound after recovery, counts the overflow (${MODE}: ${DURATIONS.downMs / 1000} s down)`, async () => {
    h = await startHarness({ sdk: { transportQueueSize: QUEUE } });
    const { server, client } = h;

    // Healthy baseline for the app's latency, then a clean slate.
    const baseline = latencySummary(await drive(h.appUrl, { count: 200, concurrency: 4 }));
    expect(await client.flush(5000)).toBe(true);
    server.clear();
    const capturedBefore = client.getStats().captured;
    const before: TransportStats = h.transport();

    await server.down();
    const downAt = Date.now();
    // A burst that overflows the bound, then a trickle: the app must keep answering all along.
    const burst = await drive(h.appUrl, { count: BURST, concurrency: 4 });
    const trickle = await drive(h.appUrl, {
      durationMs: Math.max(0, DURATIONS.downMs - (Date.now() - downAt)),
      concurrency: 1,
      paceMs: 50,
    });
    await sleep(Math.max(0, DURATIONS.downMs - (Date.now() - downAt)));
    const whileDown = h.transport();
    const downFor = Date.now() - downAt;

    await server.up();
    const upAt = Date.now();
    const flushed = await client.flush(DURATIONS.downMs + 15_000);
    const recoveredIn = Date.now() - upAt;
    const after = h.transport();
    const capturedAfter = client.getStats().captured;

    const capturedKind = {
      errors: capturedAfter.error - capturedBefore.error,
      logs: capturedAfter.log - capturedBefore.log,
      spans: capturedAfter.span - capturedBefore.span,
      'http-requests': capturedAfter['http-request'] - capturedBefore['http-request'],
    };
    const counts: Record<
      string,
      Counts & { queuedWithinBound: number; droppedQueueFull: number; droppedRetriesExhausted: number }
    > = {};
    for (const kind of APP_KINDS) {
      const d = delta(before, after, kind);
      counts[kind] = {
        sent: capturedKind[kind],
        delivered: server.items(kind).length,
        dropped: d.droppedQueueFull + d.droppedRetriesExhausted + d.droppedPermanent + d.droppedClosed,
        queuedWithinBound: d.enqueued,
        droppedQueueFull: d.droppedQueueFull,
        droppedRetriesExhausted: d.droppedRetriesExhausted,
      };
    }
    const all = [...burst.latencies, ...trickle.latencies].sort((a, b) => a - b);
    const during = latencySummary({ ...burst, latencies: all });
    record({
      group: 'fault',
      injected: `ingest server stopped listening (connections refused) for ${downFor} ms under a ${BURST}-request burst plus a 20 req/s trickle; transportQueueSize ${QUEUE}, SDK default retry policy`,
      counts,
      latency: { baselineP50: baseline.p50, ...during, bound: 'every request answered 200; max < 250 ms' },
      figures: {
        'app requests while down': burst.requests + trickle.requests,
        'app requests failed': burst.failed + trickle.failed,
        'recovery: all delivered within (ms)': recoveredIn,
        'queued while down (all categories)': Object.values(whileDown.categories).reduce(
          (n, c) => n + c.queued + c.inFlight,
          0,
        ),
      },
      outcome:
        'everything that fit in the bound arrived after recovery; the overflow was dropped and counted as droppedQueueFull',
    });

    expect(burst.failed + trickle.failed).toBe(0);
    expect(during.max).toBeLessThan(250);
    expect(flushed).toBe(true);
    for (const kind of APP_KINDS) {
      const c = counts[kind]!;
      // Within the bound: every item arrived, none was given up on.
      expect(c.droppedRetriesExhausted, kind).toBe(0);
      expect(c.delivered, kind).toBe(c.queuedWithinBound);
      // Over the bound: dropped at capture, counted, and nothing unaccounted for.
      expect(c.queuedWithinBound + c.droppedQueueFull, kind).toBe(c.sent);
      expect(c.queuedWithinBound, kind).toBeLessThanOrEqual(QUEUE);
    }
    // The burst overflowed the per-request categories, and the overflow shows in getStats().
    expect(counts.spans!.droppedQueueFull).toBeGreaterThan(0);
    const stats = client.getStats().exporters.allstak as TransportStats;
    expect(stats.categories.spans!.droppedQueueFull).toBeGreaterThanOrEqual(counts.spans!.droppedQueueFull);
    // Errors (1 per 10 requests) stayed within the bound: all of them arrived.
    expect(counts.errors!.droppedQueueFull).toBe(0);
    expect(counts.errors!.delivered).toBe(counts.errors!.sent);
    // While down, nothing over the bound was held anywhere.
    for (const c of Object.values(whileDown.categories))
      expect(c.queued + c.inFlight).toBeLessThanOrEqual(QUEUE);
    expect(server.invalid).toEqual([]);
  });
});
