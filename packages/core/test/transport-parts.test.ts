import { describe, expect, it } from 'vitest';
import { RingQueue } from '../src/transport/queue.js';
import { resolveTransportOptions } from '../src/transport/resolve-options.js';
import { backoffDelay, classifyStatus, MAX_BACKOFF_MS, retryAfterMs } from '../src/transport/retry.js';

function drain(q: RingQueue): { items: unknown[]; seqs: number[] } {
  const items: unknown[] = [];
  const seqs: number[] = [];
  q.take(q.length, items, seqs);
  return { items, seqs };
}

describe('RingQueue', () => {
  it('is FIFO across growth and wrap-around', () => {
    const q = new RingQueue(4);
    for (let i = 0; i < 3; i++) q.push(`a${i}`, i);
    const first: unknown[] = [];
    q.take(2, first, []);
    expect(first).toEqual(['a0', 'a1']);
    for (let i = 3; i < 40; i++) q.push(`a${i}`, i);
    expect(q.length).toBe(38);
    const { items, seqs } = drain(q);
    expect(items).toEqual(Array.from({ length: 38 }, (_, k) => `a${k + 2}`));
    expect(seqs).toEqual(Array.from({ length: 38 }, (_, k) => k + 2));
    expect(q.length).toBe(0);
  });

  it('take returns at most what is queued', () => {
    const q = new RingQueue();
    q.push('x', 0);
    const out: unknown[] = [];
    expect(q.take(5, out, [])).toBe(1);
    expect(out).toEqual(['x']);
    expect(q.take(5, out, [])).toBe(0);
  });

  it('putBack restores sequence order whatever order batches come back in', () => {
    const q = new RingQueue(2);
    q.push('e5', 5);
    q.push('e6', 6);
    // Batches [3,4], then [0], then [1,2] are handed back out of order.
    q.putBack('e4', 4);
    q.putBack('e3', 3);
    q.putBack('e0', 0);
    q.putBack('e2', 2);
    q.putBack('e1', 1);
    expect(drain(q)).toEqual({
      items: ['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6'],
      seqs: [0, 1, 2, 3, 4, 5, 6],
    });
  });

  it('clear returns the sequence numbers it dropped', () => {
    const q = new RingQueue();
    q.push('a', 7);
    q.push('b', 8);
    expect(q.clear()).toEqual([7, 8]);
    expect(q.length).toBe(0);
    q.push('c', 9);
    expect(drain(q).items).toEqual(['c']);
  });
});

describe('classifyStatus', () => {
  it.each([
    [200, 'delivered'],
    [202, 'delivered'],
    [299, 'delivered'],
    [429, 'rate-limited'],
    [408, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [599, 'retry'],
    [400, 'permanent'],
    [401, 'permanent'],
    [413, 'permanent'],
    [302, 'permanent'],
  ] as const)('%i → %s', (status, expected) => {
    expect(classifyStatus(status)).toBe(expected);
  });
});

describe('backoffDelay', () => {
  it('uses full jitter over base * 2^attempt', () => {
    expect(backoffDelay(0, 500, () => 0.999999)).toBe(499);
    expect(backoffDelay(3, 500, () => 0.5)).toBe(2000);
    expect(backoffDelay(3, 500, () => 0)).toBe(0);
  });

  it('is capped at 30 s however many attempts', () => {
    expect(backoffDelay(10, 500, () => 0.999999)).toBeLessThan(MAX_BACKOFF_MS);
    expect(backoffDelay(1000, 500, () => 0.999999)).toBeLessThan(MAX_BACKOFF_MS);
    expect(backoffDelay(1000, 500, () => 0.999999)).toBeGreaterThan(MAX_BACKOFF_MS - 2);
  });
});

describe('retryAfterMs', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  const cap = 300_000;
  const dflt = 60_000;

  it('reads delta-seconds', () => {
    expect(retryAfterMs('5', now, cap, dflt)).toBe(5000);
    expect(retryAfterMs(' 0 ', now, cap, dflt)).toBe(0);
    expect(retryAfterMs('1.5', now, cap, dflt)).toBe(1500);
  });

  it('reads an HTTP-date', () => {
    expect(retryAfterMs('Wed, 01 Jan 2025 12:00:30 GMT', now, cap, dflt)).toBe(30_000);
    expect(retryAfterMs('Wed, 01 Jan 2025 11:00:00 GMT', now, cap, dflt)).toBe(0);
  });

  it('falls back to the default when absent or unparsable', () => {
    expect(retryAfterMs(undefined, now, cap, dflt)).toBe(dflt);
    expect(retryAfterMs('', now, cap, dflt)).toBe(dflt);
    expect(retryAfterMs('soon', now, cap, dflt)).toBe(dflt);
    expect(retryAfterMs('-1', now, cap, dflt)).toBe(dflt);
    expect(retryAfterMs('2', now, cap, 0)).toBe(2000);
    expect(retryAfterMs('1e9', now, cap, dflt)).toBe(dflt);
  });

  it('caps at maxRetryAfterMs', () => {
    expect(retryAfterMs('86400', now, cap, dflt)).toBe(cap);
    expect(retryAfterMs('Thu, 01 Jan 2026 00:00:00 GMT', now, cap, dflt)).toBe(cap);
    expect(retryAfterMs(undefined, now, 1000, dflt)).toBe(1000);
  });

  it('stays linear on adversarial input', () => {
    const start = performance.now();
    retryAfterMs(`${'1'.repeat(50_000)}x`, now, cap, dflt);
    retryAfterMs(`${'1.'.repeat(50_000)}`, now, cap, dflt);
    expect(performance.now() - start).toBeLessThan(50);
  });
});

describe('resolveTransportOptions', () => {
  const base = {
    categories: { errors: { batched: false } },
    encode: () => ({}) as never,
    executor: async () => ({ status: 200, headers: {} }),
  };

  it('applies the documented defaults', () => {
    const o = resolveTransportOptions(base);
    expect(o).toMatchObject({
      queueSize: 1000,
      maxBatchSize: 100,
      flushInterval: 1000,
      maxInFlight: 5,
      maxInFlightTotal: 8,
      maxRetries: 3,
      retryBaseMs: 500,
      maxRetryAfterMs: 300_000,
      defaultRetryAfterMs: 60_000,
      gzipThreshold: 1024,
    });
    expect(Object.isFrozen(o)).toBe(true);
  });

  it('raises the global cap to a larger per-category cap', () => {
    expect(resolveTransportOptions({ ...base, maxInFlight: 12 }).maxInFlightTotal).toBe(12);
  });

  it('rejects invalid options with a TypeError naming the option', () => {
    expect(() => resolveTransportOptions({ ...base, categories: {} })).toThrow(/`categories`/);
    expect(() => resolveTransportOptions({ ...base, categories: { x: {} as never } })).toThrow(
      /categories.x/,
    );
    expect(() => resolveTransportOptions({ ...base, encode: 1 as never })).toThrow(TypeError);
    expect(() => resolveTransportOptions({ ...base, queueSize: 0 })).toThrow(
      /`queueSize`: must be a positive integer/,
    );
    expect(() => resolveTransportOptions({ ...base, maxBatchSize: 1.5 })).toThrow(/`maxBatchSize`/);
    expect(() => resolveTransportOptions({ ...base, retryBaseMs: -1 })).toThrow(/`retryBaseMs`/);
    expect(() => resolveTransportOptions({ ...base, maxRetries: Number.NaN })).toThrow(/`maxRetries`/);
  });
});
