import { afterEach, describe, expect, it } from 'vitest';
import { isUnreachable, probeDelay } from '../src/transport/retry.js';
import { createTransport } from '../src/transport/transport.js';
import type {
  Transport,
  TransportOptions,
  TransportRequest,
  TransportResponse,
} from '../src/transport/types.js';

/**
 * A backend that refuses connections (down, restarting, DNS gone) received nothing: the batch
 * keeps its retry budget and waits in the bounded queue while the category probes with a paced
 * backoff. Without this, an outage of a few seconds dropped items the queue had room for.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const refused = () => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
const encode = (category: string, items: readonly unknown[]): TransportRequest => ({
  url: `http://127.0.0.1:9/ingest/v1/${category}`,
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ category, items }),
});

interface Backend {
  down: boolean;
  calls: { category: string; items: unknown[] }[];
  delivered: unknown[];
  inFlight: number;
  maxInFlight: number;
  fail?: () => Error;
}

function backend(): Backend & { executor: (req: TransportRequest) => Promise<TransportResponse> } {
  const b: Backend = { down: true, calls: [], delivered: [], inFlight: 0, maxInFlight: 0 };
  const executor = async (req: TransportRequest): Promise<TransportResponse> => {
    const body = JSON.parse(String(req.body)) as { category: string; items: unknown[] };
    b.calls.push(body);
    b.inFlight++;
    b.maxInFlight = Math.max(b.maxInFlight, b.inFlight);
    await sleep(2);
    b.inFlight--;
    if (b.down) throw (b.fail ?? refused)();
    b.delivered.push(...body.items);
    return { status: 200, headers: {} };
  };
  return Object.assign(b, { executor });
}

const open: Transport[] = [];
function make(options: Partial<TransportOptions> & Pick<TransportOptions, 'executor'>): Transport {
  const t = createTransport({
    categories: { errors: { batched: false }, spans: { batched: true } },
    encode,
    retryBaseMs: 5,
    flushInterval: 10,
    ...options,
  });
  open.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close(50)));
});

describe('an unreachable backend', () => {
  it('loses nothing within the bound, however long it refuses, with one retry allowed', async () => {
    const b = backend();
    const t = make({ executor: b.executor, maxRetries: 1, queueSize: 10, maxBatchSize: 4 });
    for (let i = 0; i < 6; i++) expect(t.send('errors', `e${i}`)).toBe(true);
    for (let i = 0; i < 10; i++) expect(t.send('spans', `s${i}`)).toBe(true);
    expect(t.send('spans', 'overflow')).toBe(false);
    await sleep(400); // far beyond one retry's backoff
    const down = t.getStats().categories;
    expect(down.errors).toMatchObject({ delivered: 0, dropped: 0 });
    expect(down.spans).toMatchObject({ delivered: 0, dropped: 1, droppedQueueFull: 1 });
    expect(down.errors!.retries).toBeGreaterThan(0);
    b.down = false;
    expect(await t.flush(6000)).toBe(true);
    expect([...b.delivered].sort()).toEqual([
      ...['e0', 'e1', 'e2', 'e3', 'e4', 'e5'],
      ...['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9'],
    ]);
    const up = t.getStats().categories;
    expect(up.errors).toMatchObject({ delivered: 6, dropped: 0, droppedRetriesExhausted: 0 });
    expect(up.spans).toMatchObject({ delivered: 10, dropped: 1, droppedRetriesExhausted: 0 });
  });

  it('is probed by one request at a time per category, at a paced rate', async () => {
    const b = backend();
    const t = make({ executor: b.executor, retryBaseMs: 20, maxInFlight: 5 });
    for (let i = 0; i < 20; i++) t.send('errors', `e${i}`);
    await sleep(15);
    expect(b.maxInFlight).toBeGreaterThan(1); // the first wave, before anything was known
    b.maxInFlight = 0;
    await sleep(385);
    expect(b.maxInFlight).toBe(1);
    const calls = b.calls.length;
    // The first wave (up to maxInFlight) goes out before anything is known; after that one probe
    // per pause, and pauses grow: 25-50, 40-80, 80-160, 160-320 ms ...
    expect(calls).toBeGreaterThanOrEqual(3);
    expect(calls).toBeLessThanOrEqual(5 + 8);
    expect(t.getStats().categories.errors).toMatchObject({ queued: 20, dropped: 0 });
  });

  it('resets, timeouts and other network errors still use the retry budget', async () => {
    const b = backend();
    b.fail = () => Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    const t = make({ executor: b.executor, maxRetries: 2 });
    t.send('errors', 'e');
    expect(await t.flush(2000)).toBe(true);
    expect(b.calls).toHaveLength(3);
    expect(t.getStats().categories.errors).toMatchObject({ droppedRetriesExhausted: 1, delivered: 0 });
  });

  it('close gives up within its timeout and counts what was still queued', async () => {
    const b = backend();
    const t = make({ executor: b.executor });
    for (let i = 0; i < 3; i++) t.send('errors', `e${i}`);
    await sleep(50);
    // A close that waited for the backend would hang here until the test's own timeout.
    expect(await t.close(200)).toBe(false);
    expect(t.getStats().categories.errors).toMatchObject({ droppedClosed: 3, delivered: 0 });
  });

  it('classifies only connection-never-opened errors as unreachable, and paces probes within bounds', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']) {
      expect(isUnreachable(Object.assign(new Error(code), { code }))).toBe(true);
    }
    for (const e of [
      new Error('ECONNREFUSED'),
      { code: 'ECONNRESET' },
      { code: 'ETIMEDOUT' },
      null,
      undefined,
      'x',
    ]) {
      expect(isUnreachable(e)).toBe(false);
    }
    expect(probeDelay(0, 0, () => 0)).toBe(25);
    expect(probeDelay(0, 500, () => 0.999)).toBeLessThan(500);
    expect(probeDelay(40, 500, () => 0.999)).toBeLessThanOrEqual(5000);
    expect(probeDelay(40, 500, () => 0)).toBe(2500);
  });
});
