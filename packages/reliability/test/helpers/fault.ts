import type { SightlineOptions, TransportStats } from '@sightline/core';
import type { IngestKind, IngestServer, ReceivedRequest } from '@sightline/testkit';
import { expect } from 'vitest';
import { APP_KINDS, type Harness, delta, drive, latencySummary, sleep, startHarness } from './harness.js';
import { DURATIONS } from './mode.js';
import { type Counts, record } from './results.js';

/** The SDK's default retry policy (packages/core/src/transport/resolve-options.ts). */
export const SDK_MAX_RETRIES = 3;
export const SDK_RETRY_BASE_MS = 500;
/** Longest total backoff of one batch: full jitter under 500 + 1000 + 2000 ms. */
export const MAX_BACKOFF_TOTAL_MS = SDK_RETRY_BASE_MS * (2 ** SDK_MAX_RETRIES - 1);
/** The documented latency bound: any app request waiting on the backend would exceed it. */
export const LATENCY_MAX_MS = 250;

export interface FaultSpec {
  /** Sets the server's behaviour (and starts whatever else the fault needs). */
  inject(server: IngestServer): void;
  /** Words for the report. */
  injected: string;
  /** App requests driven while the fault is on. @default 100 */
  requests?: number;
  /** One error per this many requests. @default 50 */
  errorEvery?: number;
  /** Time the transport gets to work through the fault before `close()`. */
  observeMs: number;
  /** `close()` timeout. @default 1000 */
  closeMs?: number;
  sdk?: SightlineOptions;
  /** The host the SDK sends to, when not the ingest server (TLS). */
  host?: string;
}

export interface FaultRun {
  h: Harness;
  counts: Record<string, Counts>;
  deltas: Record<string, ReturnType<typeof delta>>;
  after: TransportStats;
  baseline: ReturnType<typeof latencySummary>;
  during: ReturnType<typeof latencySummary>;
  failedRequests: number;
  closedOk: boolean;
  closeTookMs: number;
  /** Most times one item was sent to the server (every attempt, whatever the answer). */
  maxAttemptsPerItem: number;
  attemptsByKind: Record<string, number>;
}

/** A stable identity for each item in a request body, so retries of one item can be counted. */
export function itemKeys(a: ReceivedRequest): string[] {
  const body = a.body as Record<string, any> | undefined;
  if (!body || typeof body !== 'object') return [];
  if (a.kind === 'errors') return [`e:${body.message}`];
  if (a.kind === 'logs') return [`l:${body.metadata?.n}`];
  if (a.kind === 'spans') return (body.spans ?? []).map((s: any) => `s:${s.spanId}`);
  if (a.kind === 'http-requests') return (body.requests ?? []).map((r: any) => `h:${r.spanId}`);
  return [];
}

export function maxAttempts(attempts: readonly ReceivedRequest[]): number {
  const seen = new Map<string, number>();
  for (const a of attempts) for (const k of itemKeys(a)) seen.set(k, (seen.get(k) ?? 0) + 1);
  return Math.max(0, ...seen.values());
}

/**
 * Healthy baseline first (the app's own latency), then the fault; the app keeps being driven
 * while the transport deals with the fault; after `observeMs` the client is closed and every
 * item must be accounted for.
 */
export async function runFault(spec: FaultSpec, onHarness: (h: Harness) => void): Promise<FaultRun> {
  const h = await startHarness({
    requestTimeoutMs: DURATIONS.requestTimeoutMs,
    errorEvery: spec.errorEvery ?? 50,
    sdk: spec.sdk,
  });
  onHarness(h);
  await drive(h.appUrl, { count: 100, concurrency: 4 }); // warm-up (JIT)
  const baseline = latencySummary(await drive(h.appUrl, { count: 200, concurrency: 4 }));
  expect(await h.client.flush(5000)).toBe(true);
  h.server.clear();
  const captured0 = h.client.getStats().captured;
  const before = h.transport();

  spec.inject(h.server);
  const load = await drive(h.appUrl, { count: spec.requests ?? 100, concurrency: 4 });
  await sleep(spec.observeMs);
  const closeStart = Date.now();
  const closedOk = await h.client.close(spec.closeMs ?? 1000);
  const closeTookMs = Date.now() - closeStart;
  const after = h.transport();
  const captured1 = h.client.getStats().captured;
  const sent: Record<string, number> = {
    errors: captured1.error - captured0.error,
    logs: captured1.log - captured0.log,
    spans: captured1.span - captured0.span,
    'http-requests': captured1['http-request'] - captured0['http-request'],
  };
  const counts: Record<string, Counts> = {};
  const deltas: Record<string, ReturnType<typeof delta>> = {};
  const attemptsByKind: Record<string, number> = {};
  for (const kind of APP_KINDS) {
    const d = delta(before, after, kind);
    deltas[kind] = d;
    attemptsByKind[kind] = h.server.attempts.filter((a) => a.kind === (kind as IngestKind)).length;
    counts[kind] = {
      sent: sent[kind]!,
      delivered: d.delivered,
      dropped: d.droppedQueueFull + d.droppedPermanent + d.droppedRetriesExhausted + d.droppedClosed,
      retries: d.retries,
      droppedPermanent: d.droppedPermanent,
      droppedRetriesExhausted: d.droppedRetriesExhausted,
      droppedClosed: d.droppedClosed,
      stillInFlight: after.categories[kind]!.inFlight,
    };
  }
  return {
    h,
    counts,
    deltas,
    after,
    baseline,
    during: latencySummary(load),
    failedRequests: load.failed,
    closedOk,
    closeTookMs,
    maxAttemptsPerItem: maxAttempts(h.server.attempts),
    attemptsByKind,
  };
}

/** Records the run, then checks what every fault scenario must keep. */
export function recordAndCheckCommon(
  spec: FaultSpec,
  run: FaultRun,
  outcome: string,
  figures: Record<string, string | number | boolean> = {},
): void {
  record({
    group: 'fault',
    injected: spec.injected,
    counts: run.counts,
    latency: {
      baselineP50: run.baseline.p50,
      ...run.during,
      bound: `every request answered; max < ${LATENCY_MAX_MS} ms; p50 <= 4 x baseline + 5 ms`,
    },
    figures: {
      'most attempts for one item': run.maxAttemptsPerItem,
      'close() resolved in (ms)': run.closeTookMs,
      ...figures,
    },
    outcome,
  });
  // The host app is unaffected.
  expect(run.failedRequests).toBe(0);
  expect(run.during.max).toBeLessThan(LATENCY_MAX_MS);
  expect(run.during.p50).toBeLessThanOrEqual(run.baseline.p50 * 4 + 5);
  // Retries are bounded per item, close() is bounded, and every item is accounted for.
  expect(run.maxAttemptsPerItem).toBeLessThanOrEqual(1 + SDK_MAX_RETRIES);
  expect(run.closeTookMs).toBeLessThan((spec.closeMs ?? 1000) + 300);
  for (const kind of APP_KINDS) {
    const c = run.counts[kind]!;
    const d = run.deltas[kind]!;
    expect(d.enqueued + d.droppedQueueFull, kind).toBe(c.sent);
    expect(d.delivered + c.dropped - d.droppedQueueFull + c.stillInFlight!, kind).toBe(d.enqueued);
  }
  expect(run.h.server.invalid).toEqual([]);
}
