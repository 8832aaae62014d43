import { randomBytes } from 'node:crypto';
import { type IngestKind, type IngestServer, startIngestServer } from '@sightline/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpExecutor, createTransport } from '../src/transport/transport.js';
import type { Transport, TransportOptions, TransportRequest } from '../src/transport/types.js';

/**
 * The transport with its real HTTP executor against the test kit's ingest server, which
 * validates every body against the AllStak wire format: so the encoder below builds real
 * spans, errors and logs, and every assertion is on what the server received.
 */

const KEY = 'sk_test_transport_http_0123456789';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  operation: string;
  durationMs: number;
  startTimeMillis: number;
  endTimeMillis: number;
}
const span = (operation = 'op'): Span => {
  const now = Date.now();
  return {
    traceId: hex(16),
    spanId: hex(8),
    parentSpanId: '',
    operation,
    durationMs: 1,
    startTimeMillis: now,
    endTimeMillis: now,
  };
};
const error = (message = 'x') => ({ exceptionClass: 'Error', message });
const log = (message = 'x') => ({ level: 'info', message });

const CATEGORIES = { errors: { batched: false }, logs: { batched: false }, spans: { batched: true } };

let server: IngestServer;
let open: Transport[] = [];

function encoderFor(key: string) {
  return (category: string, items: readonly unknown[]): TransportRequest => ({
    url: `${server.url}/ingest/v1/${category}`,
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-allstak-key': key,
      'user-agent': 'sightline-node/test',
    },
    body: JSON.stringify(category === 'spans' ? { spans: items } : items[0]),
  });
}

function make(options: Partial<TransportOptions> = {}, timeoutMs = 1000): Transport {
  const t = createTransport({
    categories: CATEGORIES,
    encode: encoderFor(KEY),
    executor: createHttpExecutor({ timeoutMs }),
    retryBaseMs: 5,
    flushInterval: 20,
    ...options,
  });
  open.push(t);
  return t;
}

const attempts = (kind: IngestKind) => server.attempts.filter((a) => a.kind === kind);
const accepted = (kind: IngestKind) => server.requests.filter((r) => r.kind === kind);

async function until(cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(3);
  }
}

beforeEach(async () => {
  server = await startIngestServer({ apiKey: KEY });
});

afterEach(async () => {
  // Close transports first so nothing is left hanging on the server, then the server.
  await Promise.all(open.map((t) => t.close(100)));
  open = [];
  await server.stop();
  expect(server.invalid).toEqual([]);
});

describe('batching and concurrency', () => {
  it('sends full batches of maxBatchSize at once, as valid AllStak span bodies', async () => {
    const t = make({ maxBatchSize: 5, flushInterval: 60_000 });
    const sent = Array.from({ length: 10 }, () => span());
    for (const s of sent) expect(t.send('spans', s)).toBe(true);
    await server.waitFor('spans', 10, 2000);
    const reqs = accepted('spans');
    expect(reqs).toHaveLength(2);
    expect(reqs.map((r) => (r.body as { spans: Span[] }).spans.length)).toEqual([5, 5]);
    expect(server.items<Span>('spans').map((s) => s.spanId)).toEqual(sent.map((s) => s.spanId));
    expect(reqs[0]?.headers['content-type']).toBe('application/json');
  });

  it('sends a partial batch after flushInterval', async () => {
    const t = make({ flushInterval: 60 });
    const start = Date.now();
    for (let i = 0; i < 3; i++) t.send('spans', span());
    await sleep(25);
    expect(server.attempts).toHaveLength(0);
    await server.waitFor('spans', 3, 2000);
    expect(accepted('spans')).toHaveLength(1);
    expect(accepted('spans')[0]!.at - start).toBeGreaterThanOrEqual(55);
  });

  it('sends single-object categories one per request with at most maxInFlight in flight', async () => {
    server.respond({ delayMs: 100 }, 'errors');
    const t = make({ maxInFlight: 2 });
    const start = Date.now();
    for (let i = 0; i < 6; i++) t.send('errors', error(`e${i}`));
    await sleep(60);
    expect(attempts('errors')).toHaveLength(2);
    expect(t.getStats().categories.errors).toMatchObject({ inFlight: 2, queued: 4 });
    expect(await t.flush(3000)).toBe(true);
    expect(Date.now() - start).toBeGreaterThanOrEqual(290);
    expect(
      server
        .items('errors')
        .map((e: { message: string }) => e.message)
        .sort(),
    ).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5']);
    expect(accepted('errors')).toHaveLength(6);
  });
});

describe('gzip', () => {
  it('gzips bodies of 1 KiB or more, and only those', async () => {
    const t = make({ compression: 'gzip' });
    t.send('errors', error('x'.repeat(3000)));
    t.send('logs', log('y'.repeat(900))); // compressible, but under the threshold
    expect(await t.flush(2000)).toBe(true);
    const [big] = accepted('errors');
    const [small] = accepted('logs');
    expect(big?.gzip).toBe(true);
    expect(big?.rawBytes).toBeLessThan(1024);
    expect((big!.body as { message: string }).message).toBe('x'.repeat(3000));
    expect(small?.gzip).toBe(false);
    expect(small?.rawBytes).toBeGreaterThan(900);
  });

  it('gzips a large span batch', async () => {
    const t = make({ maxBatchSize: 50, compression: 'gzip' });
    for (let i = 0; i < 50; i++) t.send('spans', span('GET /users/:id'));
    await server.waitFor('spans', 50, 2000);
    expect(accepted('spans')[0]?.gzip).toBe(true);
  });

  it('sends plain bodies to a loopback backend by default (compression: auto)', async () => {
    const t = make({ maxBatchSize: 50 });
    for (let i = 0; i < 50; i++) t.send('spans', span('GET /users/:id'));
    t.send('errors', error('x'.repeat(3000)));
    await server.waitFor('spans', 50, 2000);
    expect(await t.flush(2000)).toBe(true);
    expect(accepted('spans')[0]?.gzip).toBe(false);
    expect(accepted('errors')[0]?.gzip).toBe(false);
    expect((accepted('errors')[0]!.body as { message: string }).message).toBe('x'.repeat(3000));
  });
});

describe('failures', () => {
  it('retries 5xx and then delivers each item exactly once', async () => {
    server.respondNext(2, { status: 500 }, 'errors');
    const t = make();
    t.send('errors', error('once'));
    expect(await t.flush(2000)).toBe(true);
    expect(attempts('errors')).toHaveLength(3);
    expect(server.items('errors')).toEqual([error('once')]);
    expect(t.getStats()).toMatchObject({ requests: 3, failedRequests: 2 });
    expect(t.getStats().categories.errors).toMatchObject({ delivered: 1, retries: 2, dropped: 0 });
  });

  it('retries 408', async () => {
    server.respondNext(1, { status: 408 }, 'logs');
    const t = make();
    t.send('logs', log());
    expect(await t.flush(2000)).toBe(true);
    expect(attempts('logs')).toHaveLength(2);
    expect(t.getStats().categories.logs).toMatchObject({ delivered: 1, retries: 1 });
  });

  it('gives up after maxRetries and counts it', async () => {
    server.respond({ status: 503 }, 'errors');
    const t = make({ maxRetries: 2 });
    t.send('errors', error());
    expect(await t.flush(2000)).toBe(true);
    expect(attempts('errors')).toHaveLength(3);
    expect(t.getStats().categories.errors).toMatchObject({
      droppedRetriesExhausted: 1,
      dropped: 1,
      delivered: 0,
    });
  });

  it('drops other 4xx without retrying and counts them (bad request, wrong key)', async () => {
    server.respondNext(1, { status: 400, body: '{"error":"bad"}' }, 'errors');
    const t = make({ maxInFlight: 1 });
    t.send('errors', error('rejected'));
    t.send('errors', error('accepted'));
    const wrongKey = make({ encode: encoderFor('sk_wrong_key_value') });
    wrongKey.send('logs', log());
    expect(await t.flush(2000)).toBe(true);
    expect(await wrongKey.flush(2000)).toBe(true);
    expect(attempts('errors')).toHaveLength(2);
    expect(server.items('errors')).toEqual([error('accepted')]);
    expect(t.getStats().categories.errors).toMatchObject({ droppedPermanent: 1, delivered: 1, retries: 0 });
    expect(attempts('logs').map((a) => a.status)).toEqual([401]);
    expect(wrongKey.getStats().categories.logs).toMatchObject({ droppedPermanent: 1, retries: 0 });
  });

  it('treats reset connections, garbage responses and timeouts as network errors and retries', async () => {
    server.respondNext(1, 'reset', 'errors');
    server.respondNext(1, 'garbage', 'logs');
    server.respondNext(1, 'hang', 'spans');
    const t = make({}, 150);
    t.send('errors', error());
    t.send('logs', log());
    t.send('spans', span());
    expect(await t.flush(3000)).toBe(true);
    for (const kind of ['errors', 'logs', 'spans'] as const) {
      expect(attempts(kind)).toHaveLength(2);
      expect(server.items(kind)).toHaveLength(1);
      expect(t.getStats().categories[kind]).toMatchObject({ delivered: 1, retries: 1, dropped: 0 });
    }
    expect(t.getStats().failedRequests).toBe(3);
  });

  it('loses nothing within the queue bound while the server is down', async () => {
    await server.down();
    const t = make({ maxRetries: 50, retryBaseMs: 10, queueSize: 30, maxBatchSize: 10 });
    const spans = Array.from({ length: 30 }, () => span());
    for (const s of spans) expect(t.send('spans', s)).toBe(true);
    for (let i = 0; i < 5; i++) expect(t.send('errors', error(`e${i}`))).toBe(true);
    expect(t.send('spans', span())).toBe(false); // the bound counts batches waiting for a retry
    await sleep(150);
    const down = t.getStats();
    expect(down.categories.spans).toMatchObject({ delivered: 0, dropped: 1, droppedQueueFull: 1 });
    expect(down.categories.errors).toMatchObject({ delivered: 0, dropped: 0 });
    expect(down.categories.errors!.retries).toBeGreaterThan(0);
    await server.up();
    expect(await t.flush(5000)).toBe(true);
    expect(
      server
        .items<Span>('spans')
        .map((s) => s.spanId)
        .sort(),
    ).toEqual(spans.map((s) => s.spanId).sort());
    expect(
      server
        .items('errors')
        .map((e: { message: string }) => e.message)
        .sort(),
    ).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
    expect(t.getStats().categories.errors).toMatchObject({ delivered: 5, dropped: 0 });
  });

  it('counts queue overflow exactly', async () => {
    server.respond('hang', 'errors');
    const t = make({ queueSize: 5, maxInFlight: 2 });
    const results = Array.from({ length: 12 }, (_, i) => t.send('errors', error(`e${i}`)));
    expect(results.filter(Boolean)).toHaveLength(5);
    await until(() => attempts('errors').length === 2);
    expect(t.send('errors', error('late'))).toBe(false);
    expect(t.getStats().categories.errors).toMatchObject({
      enqueued: 5,
      inFlight: 2,
      queued: 3,
      droppedQueueFull: 8,
      dropped: 8,
    });
  });
});

describe('429', () => {
  it('holds only the limited categories (Retry-After seconds and HTTP-date), then delivers everything', async () => {
    server.respondNext(1, { status: 429, headers: { 'retry-after': '1' } }, 'errors');
    const date = new Date(Date.now() + 2000).toUTCString(); // whole seconds: a 1-2 s hold
    server.respondNext(1, { status: 429, headers: { 'retry-after': date } }, 'spans');
    const t = make();
    t.send('errors', error('e0'));
    t.send('spans', span('s0'));
    await until(() => attempts('errors').length === 1 && attempts('spans').length === 1);
    await until(() => t.getStats().categories.spans!.rateLimitedUntil > 0);
    const limitedAt = Date.now();
    const held = t.getStats().categories;
    expect(held.errors!.rateLimitedUntil - limitedAt).toBeGreaterThan(850);
    expect(held.errors!.rateLimitedUntil - limitedAt).toBeLessThanOrEqual(1000);
    expect(held.spans!.rateLimitedUntil).toBe(Math.max(Date.parse(date), 0));

    t.send('errors', error('e1'));
    t.send('spans', span('s1'));
    for (let i = 0; i < 3; i++) t.send('logs', log(`l${i}`));
    await server.waitFor('logs', 3, 1000); // other categories keep flowing
    await sleep(100);
    expect(attempts('errors')).toHaveLength(1);
    expect(attempts('spans')).toHaveLength(1);
    expect(t.getStats().categories.errors).toMatchObject({ queued: 2, dropped: 0 });
    expect(t.getStats().categories.spans).toMatchObject({ queued: 2, dropped: 0 });

    expect(await t.flush(4000)).toBe(true);
    expect(accepted('errors')[0]!.at).toBeGreaterThanOrEqual(held.errors!.rateLimitedUntil - 5);
    expect(accepted('spans')[0]!.at).toBeGreaterThanOrEqual(held.spans!.rateLimitedUntil - 5);
    expect(server.items('errors').map((e: { message: string }) => e.message)).toEqual(['e0', 'e1']);
    expect(server.items<Span>('spans').map((s) => s.operation)).toEqual(['s0', 's1']);
    expect(t.getStats().categories.errors).toMatchObject({ delivered: 2, dropped: 0, rateLimitedUntil: 0 });
  });
});

describe('flush and close', () => {
  it('flush resolves false while the backend hangs, and true once it answers', async () => {
    server.respond('hang', 'logs');
    const t = make({}, 300);
    t.send('logs', log());
    const start = Date.now();
    expect(await t.flush(100)).toBe(false);
    expect(Date.now() - start).toBeLessThan(600);
    server.respond('ok', 'logs');
    expect(await t.flush(3000)).toBe(true);
    expect(server.items('logs')).toHaveLength(1);
  });

  it('close drains, then refuses new items and counts them', async () => {
    const t = make({ flushInterval: 60_000 });
    for (let i = 0; i < 3; i++) t.send('spans', span());
    t.send('errors', error());
    expect(await t.close(2000)).toBe(true);
    expect(server.items('spans')).toHaveLength(3);
    expect(server.items('errors')).toHaveLength(1);
    expect(t.send('spans', span())).toBe(false);
    expect(t.send('errors', error())).toBe(false);
    await sleep(50);
    expect(server.attempts).toHaveLength(2);
    expect(t.getStats().categories.spans).toMatchObject({ delivered: 3, droppedClosed: 1 });
  });

  it('close with a hanging backend resolves false within its timeout', async () => {
    server.respond('hang');
    const t = make({}, 10_000);
    t.send('errors', error());
    t.send('spans', span());
    const start = Date.now();
    expect(await t.close(150)).toBe(false);
    expect(Date.now() - start).toBeLessThan(700);
    expect(t.send('logs', log())).toBe(false);
  });
});
