import { gunzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { activeContext, isSuppressed, withContext } from '../src/context.js';
import { createTransport } from '../src/transport/transport.js';
import type {
  Transport,
  TransportOptions,
  TransportRequest,
  TransportResponse,
} from '../src/transport/types.js';

/** Unit tests over a scripted in-memory executor; transport-http.test.ts covers real HTTP. */

const API_KEY = 'sk_live_transport_unit_secret';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Call {
  req: TransportRequest;
  category: string;
  items: unknown[];
  suppressed: boolean;
  hub: unknown;
  resolve: (res: TransportResponse) => void;
  reject: (err: Error) => void;
}

type Script = (call: Call) => TransportResponse | Error | 'hang' | Promise<TransportResponse>;

/** An executor that records every call and answers per `script` (default 200). */
function fakeExecutor(script: Script = () => ({ status: 200, headers: {} })) {
  const calls: Call[] = [];
  const executor = (req: TransportRequest): Promise<TransportResponse> =>
    new Promise((resolve, reject) => {
      const raw = typeof req.body === 'string' ? req.body : gunzipSync(req.body).toString();
      const parsed = JSON.parse(raw) as { category: string; items: unknown[] };
      const call: Call = {
        req,
        category: parsed.category,
        items: parsed.items,
        suppressed: isSuppressed(),
        hub: activeContext().hub,
        resolve,
        reject,
      };
      calls.push(call);
      const out = script(call);
      if (out === 'hang') return;
      if (out instanceof Error) reject(out);
      else Promise.resolve(out).then(resolve);
    });
  const items = (category: string) => calls.filter((c) => c.category === category).flatMap((c) => c.items);
  return { calls, executor, items };
}

const encode = (category: string, items: readonly unknown[]): TransportRequest => ({
  url: `http://127.0.0.1:9/ingest/v1/${category}`,
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-allstak-key': API_KEY },
  body: JSON.stringify({ category, items }),
});

const CATEGORIES = {
  errors: { batched: false },
  logs: { batched: false },
  spans: { batched: true },
  db: { batched: true },
};

const open: Transport[] = [];
function make(options: Partial<TransportOptions> & Pick<TransportOptions, 'executor'>): Transport {
  const t = createTransport({
    categories: CATEGORIES,
    encode,
    retryBaseMs: 5,
    flushInterval: 20,
    ...options,
  });
  open.push(t);
  return t;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close(50)));
});

async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(2);
  }
}

describe('capture path', () => {
  it('send only queues: no encode and no I/O happen synchronously', async () => {
    let encoded = 0;
    const fake = fakeExecutor();
    const t = make({
      executor: fake.executor,
      encode: (c, items) => {
        encoded++;
        return encode(c, items);
      },
    });
    expect(t.send('errors', { n: 1 })).toBe(true);
    expect(encoded).toBe(0);
    expect(fake.calls).toHaveLength(0);
    expect(t.getStats().categories.errors).toMatchObject({ enqueued: 1, queued: 1 });
    expect(await t.flush(1000)).toBe(true);
    expect(encoded).toBe(1);
    expect(t.getStats().categories.errors).toMatchObject({ delivered: 1, queued: 0, inFlight: 0 });
  });

  it('runs encode and the executor detached from the request context and suppressed', async () => {
    const seen: Array<{ suppressed: boolean; hub: unknown }> = [];
    const fake = fakeExecutor();
    const t = make({
      executor: fake.executor,
      encode: (c, items) => {
        seen.push({ suppressed: isSuppressed(), hub: activeContext().hub });
        return encode(c, items);
      },
    });
    const flushed = withContext({ hub: 'request-hub' }, () => {
      t.send('errors', 1);
      t.send('spans', 2);
      return t.flush(1000);
    });
    expect(await flushed).toBe(true);
    expect(seen).toEqual([
      { suppressed: true, hub: undefined },
      { suppressed: true, hub: undefined },
    ]);
    expect(fake.calls.map((c) => ({ suppressed: c.suppressed, hub: c.hub }))).toEqual(seen);
  });

  it('returns false for an unknown category without throwing', () => {
    const t = make({ executor: fakeExecutor().executor });
    expect(t.send('nope', 1)).toBe(false);
    expect(Object.keys(t.getStats().categories).sort()).toEqual(['db', 'errors', 'logs', 'spans']);
  });
});

describe('batching', () => {
  it('sends full batches at maxBatchSize without waiting for the interval', async () => {
    const fake = fakeExecutor();
    const t = make({ executor: fake.executor, maxBatchSize: 3, flushInterval: 60_000 });
    for (let i = 0; i < 7; i++) t.send('spans', i);
    await until(() => fake.calls.length === 2);
    await sleep(30);
    expect(fake.calls.map((c) => c.items)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(t.getStats().categories.spans).toMatchObject({ queued: 1, delivered: 6 });
    // The remainder goes out on flush, not after the (one-minute) interval.
    expect(await t.flush(1000)).toBe(true);
    expect(fake.calls.map((c) => c.items)).toEqual([[0, 1, 2], [3, 4, 5], [6]]);
  });

  it('sends a partial batch after flushInterval', async () => {
    const fake = fakeExecutor();
    const t = make({ executor: fake.executor, maxBatchSize: 100, flushInterval: 40 });
    const start = Date.now();
    t.send('spans', 'a');
    t.send('spans', 'b');
    t.send('db', 'q');
    await sleep(15);
    expect(fake.calls).toHaveLength(0);
    await until(() => fake.calls.length === 2);
    expect(Date.now() - start).toBeGreaterThanOrEqual(35);
    expect(fake.items('spans')).toEqual(['a', 'b']);
    expect(fake.calls.find((c) => c.category === 'spans')?.items).toEqual(['a', 'b']);
    expect(fake.items('db')).toEqual(['q']);
  });

  it('sends single-object categories one item per request, at most maxInFlight at a time', async () => {
    const fake = fakeExecutor(() => 'hang');
    const t = make({ executor: fake.executor, maxInFlight: 2 });
    for (let i = 0; i < 5; i++) t.send('errors', i);
    await until(() => fake.calls.length === 2);
    await sleep(20);
    expect(fake.calls).toHaveLength(2);
    expect(t.getStats().categories.errors).toMatchObject({ inFlight: 2, queued: 3 });
    fake.calls[0]?.resolve({ status: 200, headers: {} });
    await until(() => fake.calls.length === 3);
    expect(fake.calls.map((c) => c.items)).toEqual([[0], [1], [2]]);
    await sleep(20);
    expect(fake.calls).toHaveLength(3);
  });

  it('caps requests in flight across categories at 8, sharing slots in turn', async () => {
    const fake = fakeExecutor(() => 'hang');
    const t = make({ executor: fake.executor, maxInFlight: 5, maxBatchSize: 1 });
    for (let i = 0; i < 6; i++) {
      t.send('errors', i);
      t.send('logs', i);
      t.send('spans', i);
    }
    await until(() => fake.calls.length === 8);
    await sleep(20);
    expect(fake.calls).toHaveLength(8);
    const per = (c: string) => fake.calls.filter((x) => x.category === c).length;
    expect([per('errors'), per('logs'), per('spans')].sort()).toEqual([2, 3, 3]);
  });
});

describe('gzip', () => {
  const header = (req: TransportRequest) => req.headers['content-encoding'];

  it('gzips bodies of at least gzipThreshold bytes when smaller', async () => {
    const fake = fakeExecutor();
    const t = make({ executor: fake.executor, compression: 'gzip' });
    t.send('errors', 'x'.repeat(2000));
    t.send('logs', 'small');
    expect(await t.flush(1000)).toBe(true);
    const big = fake.calls.find((c) => c.category === 'errors')!;
    expect(header(big.req)).toBe('gzip');
    expect(big.req.body).toBeInstanceOf(Uint8Array);
    expect(big.req.body.length).toBeLessThan(500);
    expect(big.items).toEqual(['x'.repeat(2000)]);
    expect(big.req.headers['x-allstak-key']).toBe(API_KEY);
    const small = fake.calls.find((c) => c.category === 'logs')!;
    expect(header(small.req)).toBeUndefined();
    expect(typeof small.req.body).toBe('string');
  });

  it('keeps the body as is when gzip would not make it smaller', async () => {
    const seen: TransportRequest[] = [];
    const noise = crypto.getRandomValues(new Uint8Array(4096));
    const t = make({
      executor: async (req) => {
        seen.push(req);
        return { status: 200, headers: {} };
      },
      encode: (c) => ({ url: `http://127.0.0.1:9/${c}`, method: 'POST', headers: {}, body: noise }),
      compression: 'gzip',
    });
    t.send('errors', 1);
    expect(await t.flush(1000)).toBe(true);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.headers['content-encoding']).toBeUndefined();
    expect(seen[0]?.body).toBe(noise);
  });

  it('gzips small bodies inline and large ones on the thread pool, both byte-exact', async () => {
    const seen: TransportRequest[] = [];
    // Varied text so the large body stays well above the inline limit after JSON encoding.
    const text = (n: number) => Array.from({ length: n }, (_, i) => `item-${i * 7919}`).join(',');
    const bodies: Record<string, string> = { errors: text(400), logs: text(40_000) };
    expect(bodies.errors!.length).toBeLessThan(64 * 1024);
    expect(bodies.logs!.length).toBeGreaterThan(64 * 1024);
    const t = make({
      executor: async (req) => {
        seen.push(req);
        return { status: 200, headers: {} };
      },
      encode: (c) => ({ url: `http://127.0.0.1:9/${c}`, method: 'POST', headers: {}, body: bodies[c]! }),
      compression: 'gzip',
    });
    t.send('errors', 1);
    t.send('logs', 2);
    expect(await t.flush(1000)).toBe(true);
    expect(seen).toHaveLength(2);
    for (const req of seen) {
      const category = req.url.slice(req.url.lastIndexOf('/') + 1);
      expect(req.headers['content-encoding']).toBe('gzip');
      expect(gunzipSync(req.body as Uint8Array).toString('utf8')).toBe(bodies[category]);
    }
  });

  it('compression auto: plain to loopback hosts, gzip elsewhere; none: never', async () => {
    const seen: TransportRequest[] = [];
    const body = 'z'.repeat(4000);
    const hosts: Record<string, string> = {
      errors: 'http://127.0.0.1:4318',
      logs: 'http://localhost:8080',
      spans: 'http://[::1]:9',
      db: 'https://ingest.example.com',
    };
    const run = async (compression?: 'auto' | 'none') => {
      seen.length = 0;
      const t = make({
        executor: async (req) => {
          seen.push(req);
          return { status: 200, headers: {} };
        },
        encode: (c) => ({ url: `${hosts[c]}/ingest/v1/${c}`, method: 'POST', headers: {}, body }),
        ...(compression ? { compression } : {}),
      });
      for (const c of Object.keys(hosts)) t.send(c, 1);
      expect(await t.flush(1000)).toBe(true);
      return Object.fromEntries(seen.map((r) => [new URL(r.url).host, r.headers['content-encoding'] ?? 'plain']));
    };
    expect(await run()).toEqual({
      '127.0.0.1:4318': 'plain',
      'localhost:8080': 'plain',
      '[::1]:9': 'plain',
      'ingest.example.com': 'gzip',
    });
    expect(Object.values(await run('none'))).toEqual(['plain', 'plain', 'plain', 'plain']);
  });

  it('rejects an unknown compression mode', () => {
    expect(() => make({ executor: fakeExecutor().executor, compression: 'brotli' as never })).toThrow(
      "Invalid `compression`: must be 'auto', 'gzip' or 'none'",
    );
  });

  it('respects gzipThreshold', async () => {
    const fake = fakeExecutor();
    const t = make({ executor: fake.executor, gzipThreshold: 100_000, compression: 'gzip' });
    t.send('errors', 'x'.repeat(2000));
    expect(await t.flush(1000)).toBe(true);
    expect(header(fake.calls[0]!.req)).toBeUndefined();
  });
});

describe('responses', () => {
  it('retries 5xx with backoff, then delivers once', async () => {
    let n = 0;
    const fake = fakeExecutor(() => ({ status: n++ < 2 ? 500 : 202, headers: {} }));
    const t = make({ executor: fake.executor });
    t.send('errors', 'e');
    expect(await t.flush(1000)).toBe(true);
    expect(fake.calls).toHaveLength(3);
    const stats = t.getStats();
    expect(stats.categories.errors).toMatchObject({ delivered: 1, retries: 2, dropped: 0, inFlight: 0 });
    expect(stats).toMatchObject({ requests: 3, failedRequests: 2 });
  });

  it('retries 408 and network errors', async () => {
    let n = 0;
    const fake = fakeExecutor(() => {
      n++;
      if (n === 1) return { status: 408, headers: {} };
      if (n === 2) return new Error('ECONNRESET');
      return { status: 200, headers: {} };
    });
    const t = make({ executor: fake.executor });
    t.send('logs', 'l');
    expect(await t.flush(1000)).toBe(true);
    expect(t.getStats().categories.logs).toMatchObject({ delivered: 1, retries: 2 });
  });

  it('drops after maxRetries retries and counts it', async () => {
    const fake = fakeExecutor(() => ({ status: 503, headers: {} }));
    const t = make({ executor: fake.executor, maxRetries: 2, maxBatchSize: 2 });
    t.send('spans', 1);
    t.send('spans', 2);
    expect(await t.flush(1000)).toBe(true);
    expect(fake.calls).toHaveLength(3);
    expect(t.getStats().categories.spans).toMatchObject({
      delivered: 0,
      retries: 2,
      droppedRetriesExhausted: 2,
      dropped: 2,
      inFlight: 0,
    });
  });

  it('drops 4xx other than 408/429 at once and counts it', async () => {
    const fake = fakeExecutor(() => ({ status: 400, headers: {} }));
    const t = make({ executor: fake.executor });
    t.send('errors', 1);
    t.send('errors', 2);
    expect(await t.flush(1000)).toBe(true);
    expect(fake.calls).toHaveLength(2);
    expect(t.getStats().categories.errors).toMatchObject({ droppedPermanent: 2, dropped: 2, retries: 0 });
  });

  it('counts an encoder throw as a permanent drop and keeps going', async () => {
    const logs: string[] = [];
    const fake = fakeExecutor();
    const t = make({
      executor: fake.executor,
      debug: (m) => logs.push(m),
      encode: (c, items) => {
        if (items[0] === 'bad') throw new Error('cyclic');
        return encode(c, items);
      },
    });
    t.send('errors', 'bad');
    t.send('errors', 'good');
    expect(await t.flush(1000)).toBe(true);
    expect(t.getStats().categories.errors).toMatchObject({ droppedPermanent: 1, delivered: 1 });
    expect(logs.some((l) => l.includes('encoding failed') && l.includes('cyclic'))).toBe(true);
  });

  it('drops a malformed encoder result as permanent instead of sending it', async () => {
    const fake = fakeExecutor();
    const t = make({
      executor: fake.executor,
      encode: () => ({ url: 'http://127.0.0.1:9/x', method: 'POST', headers: {}, body: 42 }) as never,
    });
    t.send('errors', 1);
    expect(await t.flush(1000)).toBe(true);
    expect(fake.calls).toHaveLength(0);
    expect(t.getStats().categories.errors).toMatchObject({ droppedPermanent: 1 });
  });

  it('treats an executor that resolves garbage as a network error', async () => {
    let n = 0;
    const t = make({
      executor: async () => (n++ === 0 ? (undefined as never) : { status: 200, headers: {} }),
    });
    t.send('errors', 1);
    expect(await t.flush(1000)).toBe(true);
    expect(t.getStats().categories.errors).toMatchObject({ delivered: 1, retries: 1 });
  });

  it('never logs headers or the API key', async () => {
    const logs: string[] = [];
    let n = 0;
    const fake = fakeExecutor(() => {
      const k = n++ % 4;
      if (k === 0) return { status: 500, headers: {} };
      if (k === 1) return new Error('socket hang up');
      if (k === 2) return { status: 429, headers: { 'retry-after': '0' } };
      return { status: 401, headers: {} };
    });
    const t = make({ executor: fake.executor, debug: (m) => logs.push(m) });
    for (let i = 0; i < 5; i++) t.send('errors', i);
    await t.flush(1000);
    expect(logs.length).toBeGreaterThan(3);
    expect(logs.join('\n')).not.toContain(API_KEY);
    expect(logs.join('\n')).not.toMatch(/x-allstak-key/i);
  });
});

describe('429 rate limits', () => {
  it('holds only that category, keeps its items in order, then resumes', async () => {
    let limited = true;
    const fake = fakeExecutor((call) => {
      if (call.category !== 'errors') return { status: 200, headers: {} };
      return limited ? 'hang' : { status: 200, headers: {} };
    });
    const t = make({ executor: fake.executor, maxInFlight: 3 });
    const start = Date.now();
    for (let i = 0; i < 4; i++) t.send('errors', `e${i}`);
    await until(() => fake.calls.length === 3);
    // The three in-flight requests are answered 429 newest first; e3 is still queued.
    const too = { status: 429, headers: { 'retry-after': '1' } };
    for (const i of [2, 1, 0]) {
      fake.calls[i]?.resolve(too);
      await sleep(5);
    }
    t.send('logs', 'l0');
    await until(() => fake.items('logs').length === 1);
    const held = t.getStats().categories.errors!;
    expect(held.rateLimitedUntil).toBeGreaterThanOrEqual(start + 1000);
    expect(held.rateLimitedUntil).toBeLessThanOrEqual(Date.now() + 1000);
    await sleep(50);
    // Every item is back in the queue, none was dropped or sent during the hold.
    expect(t.getStats().categories.errors).toMatchObject({
      queued: 4,
      inFlight: 0,
      dropped: 0,
      delivered: 0,
    });
    expect(fake.calls.filter((c) => c.category === 'errors')).toHaveLength(3);
    limited = false;
    expect(await t.flush(3000)).toBe(true);
    expect(Date.now() - start).toBeGreaterThanOrEqual(1000);
    const after = fake.calls.filter((c) => c.category === 'errors').slice(3);
    expect(after.map((c) => c.items[0])).toEqual(['e0', 'e1', 'e2', 'e3']);
    expect(t.getStats().categories.errors).toMatchObject({ delivered: 4, dropped: 0, rateLimitedUntil: 0 });
    expect(t.getStats().categories.logs).toMatchObject({ delivered: 1 });
  });

  it('uses defaultRetryAfterMs without Retry-After and caps at maxRetryAfterMs', async () => {
    const fake = fakeExecutor((call) =>
      call.category === 'errors'
        ? { status: 429, headers: {} }
        : { status: 429, headers: { 'retry-after': '3600' } },
    );
    const t = make({ executor: fake.executor, defaultRetryAfterMs: 5000, maxRetryAfterMs: 20_000 });
    const start = Date.now();
    t.send('errors', 1);
    t.send('logs', 1);
    await until(() => fake.calls.length === 2);
    await sleep(10);
    const s = t.getStats().categories;
    expect(s.errors!.rateLimitedUntil - start).toBeGreaterThanOrEqual(5000);
    expect(s.errors!.rateLimitedUntil - start).toBeLessThan(5500);
    expect(s.logs!.rateLimitedUntil - start).toBeGreaterThanOrEqual(20_000);
    expect(s.logs!.rateLimitedUntil - start).toBeLessThan(20_500);
  });

  it('holds at least retryBaseMs on Retry-After: 0, so a 429 loop is not a request storm', async () => {
    let n = 0;
    const fake = fakeExecutor(() =>
      n++ < 3 ? { status: 429, headers: { 'retry-after': '0' } } : { status: 200, headers: {} },
    );
    const t = make({ executor: fake.executor, retryBaseMs: 40 });
    const start = Date.now();
    t.send('errors', 1);
    expect(await t.flush(2000)).toBe(true);
    expect(fake.calls).toHaveLength(4);
    expect(Date.now() - start).toBeGreaterThanOrEqual(115);
    expect(t.getStats().categories.errors).toMatchObject({ delivered: 1, dropped: 0 });
  });

  it('flush during a hold longer than its timeout resolves false', async () => {
    const fake = fakeExecutor(() => ({ status: 429, headers: { 'retry-after': '30' } }));
    const t = make({ executor: fake.executor });
    t.send('errors', 1);
    const start = Date.now();
    expect(await t.flush(80)).toBe(false);
    expect(Date.now() - start).toBeLessThan(500);
    expect(t.getStats().categories.errors).toMatchObject({ queued: 1, dropped: 0 });
  });
});

describe('bounds', () => {
  it('counts queue overflow exactly, including items in flight and in retry', async () => {
    const fake = fakeExecutor(() => 'hang');
    const t = make({ executor: fake.executor, queueSize: 10, maxInFlight: 3 });
    let accepted = 0;
    for (let i = 0; i < 25; i++) if (t.send('errors', i)) accepted++;
    await until(() => fake.calls.length === 3);
    for (let i = 0; i < 5; i++) if (t.send('errors', i)) accepted++;
    expect(accepted).toBe(10);
    expect(t.getStats().categories.errors).toMatchObject({
      enqueued: 10,
      queued: 7,
      inFlight: 3,
      droppedQueueFull: 20,
      dropped: 20,
    });
    // Other categories have their own bound.
    expect(t.send('logs', 1)).toBe(true);
  });

  it('frees room once items settle', async () => {
    const fake = fakeExecutor();
    const t = make({ executor: fake.executor, queueSize: 2, maxBatchSize: 2 });
    expect([t.send('spans', 1), t.send('spans', 2), t.send('spans', 3)]).toEqual([true, true, false]);
    expect(await t.flush(1000)).toBe(true);
    expect([t.send('spans', 4), t.send('spans', 5)]).toEqual([true, true]);
    expect(await t.flush(1000)).toBe(true);
    expect(t.getStats().categories.spans).toMatchObject({ delivered: 4, droppedQueueFull: 1 });
  });
});

describe('flush and close', () => {
  it('flush waits only for items queued before the call', async () => {
    const fake = fakeExecutor(() => 'hang');
    const t = make({ executor: fake.executor });
    t.send('errors', 'a');
    const flushed = t.flush(2000);
    t.send('errors', 'b');
    await until(() => fake.calls.length === 2);
    let done: boolean | undefined;
    void flushed.then((v) => {
      done = v;
    });
    // 'b' (queued after the call) settling first must not resolve the flush.
    fake.calls[1]?.resolve({ status: 200, headers: {} });
    await sleep(20);
    expect(done).toBeUndefined();
    fake.calls[0]?.resolve({ status: 200, headers: {} });
    expect(await flushed).toBe(true);
  });

  it('flush resolves true at once when nothing is pending', async () => {
    const t = make({ executor: fakeExecutor().executor });
    expect(await t.flush(0)).toBe(true);
  });

  it('flush resolves false on timeout with a hanging backend and never rejects', async () => {
    const fake = fakeExecutor(() => 'hang');
    const t = make({ executor: fake.executor });
    t.send('spans', 1);
    const start = Date.now();
    expect(await t.flush(60)).toBe(false);
    expect(Date.now() - start).toBeLessThan(500);
    expect(t.getStats().categories.spans?.inFlight).toBe(1);
  });

  it('close drains, then refuses new items and counts them', async () => {
    const fake = fakeExecutor();
    const t = make({ executor: fake.executor, flushInterval: 60_000 });
    t.send('spans', 1);
    t.send('errors', 2);
    expect(await t.close(1000)).toBe(true);
    expect(fake.calls).toHaveLength(2);
    expect(t.send('spans', 3)).toBe(false);
    expect(t.send('errors', 4)).toBe(false);
    const s = t.getStats().categories;
    expect(s.spans).toMatchObject({ delivered: 1, droppedClosed: 1, dropped: 1 });
    expect(s.errors).toMatchObject({ delivered: 1, droppedClosed: 1 });
    expect(await t.close(1000)).toBe(true);
  });

  it('close with a hanging backend resolves false within its timeout and drops what is left', async () => {
    const fake = fakeExecutor(() => 'hang');
    const t = make({ executor: fake.executor, maxInFlight: 1 });
    t.send('errors', 1);
    t.send('errors', 2);
    const start = Date.now();
    expect(await t.close(80)).toBe(false);
    expect(Date.now() - start).toBeLessThan(500);
    expect(t.getStats().categories.errors).toMatchObject({ queued: 0, inFlight: 1, droppedClosed: 1 });
    // The hung request ends later; with the transport closed a failure is not retried.
    fake.calls[0]?.reject(new Error('timeout'));
    await until(() => t.getStats().categories.errors?.inFlight === 0);
    expect(t.getStats().categories.errors).toMatchObject({ droppedClosed: 2, retries: 0 });
    expect(fake.calls).toHaveLength(1);
  });

  it('close gives up on batches waiting for a retry', async () => {
    const fake = fakeExecutor(() => ({ status: 500, headers: {} }));
    const t = make({ executor: fake.executor, retryBaseMs: 10_000 });
    t.send('errors', 1);
    await until(() => fake.calls.length === 1);
    expect(await t.close(30)).toBe(false);
    expect(t.getStats().categories.errors).toMatchObject({ inFlight: 0, droppedClosed: 1 });
  });
});

describe('process liveness', () => {
  it('holds no ref\u2019d timer or immediate while work is pending', async () => {
    const fake = fakeExecutor(() => ({ status: 500, headers: {} }));
    const count = () =>
      process.getActiveResourcesInfo().filter((r) => r === 'Timeout' || r === 'Immediate').length;
    const before = count();
    const t = make({ executor: fake.executor, retryBaseMs: 60_000, flushInterval: 60_000 });
    t.send('errors', 1); // retry timer after the 500
    t.send('spans', 1); // linger timer
    const flushed = t.flush(60_000); // flush timeout timer
    expect(count()).toBe(before); // the pump immediate is unref'd too
    await until(() => fake.calls.length === 2);
    expect(count()).toBe(before);
    void flushed;
  });
});
