import { type Client, init } from '@sightline/core';
import { checkRacewayEvent } from '../src/analysis/index.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type RacewayExporterOptions,
  type RacewayExporterStats,
  racewayExporter,
  trackFunctionSync,
  trackHttpResponse,
  trackLockAcquire,
  trackLockRelease,
  trackStateChange,
} from '../src/index.js';
import { type FakeRaceway, startFakeRaceway } from './helpers/raceway-server.js';

const KEY = 'rw_test_SECRET_key_0123456789';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

let server: FakeRaceway;
let client: Client | undefined;

beforeEach(async () => {
  server = await startFakeRaceway();
});

afterEach(async () => {
  await client?.close(500);
  client = undefined;
  await server.stop();
});

function start(options: RacewayExporterOptions = {}, debug = false): Client {
  client = init({
    exporters: [racewayExporter({ url: server.url, instanceId: 'host-1', variables: {}, ...options })],
    service: 'bank',
    environment: 'test',
    defaultIntegrations: false,
    debug,
  });
  return client;
}

const stats = (c: Client) => c.getStats().exporters.raceway as RacewayExporterStats;

describe('POST /events (WIRE-FORMATS §1.1, §1.2)', () => {
  it('sends { events } with exactly the server’s field names and types', async () => {
    const c = start({ apiKey: KEY, tags: { team: 'payments' } });
    trackStateChange('account:alice.balance', 100, 90, 'Write');
    const total = trackFunctionSync('sum', { items: 2 }, () => 1 + 1);
    expect(total).toBe(2);
    trackLockAcquire('account:alice');
    trackLockRelease('account:alice');
    trackHttpResponse(201, 12.7);
    expect(await c.flush(2000)).toBe(true);

    expect(server.posts).toHaveLength(1);
    const post = server.posts[0]!;
    expect(post.method).toBe('POST');
    expect(post.url).toBe('/events');
    expect(post.headers['content-type']).toBe('application/json');
    expect(post.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(post.headers['content-encoding']).toBeUndefined();
    const body = post.body as { events: Record<string, any>[] };
    expect(Object.keys(body)).toEqual(['events']);
    const events = body.events;
    expect(events.map((e) => Object.keys(e.kind))).toEqual([
      ['StateChange'],
      ['FunctionCall'],
      ['LockAcquire'],
      ['LockRelease'],
      ['HttpResponse'],
    ]);

    for (const [i, e] of events.entries()) {
      // What the Raceway server's serde would accept.
      expect(checkRacewayEvent(e)).toBeUndefined();
      expect(Object.keys(e)).toEqual([
        'id',
        'trace_id',
        'parent_id',
        'timestamp',
        'kind',
        'metadata',
        'causality_vector',
        'lock_set',
      ]);
      expect(e.id).toMatch(UUID);
      expect(e.trace_id).toMatch(UUID);
      expect(e.trace_id).toBe(events[0]!.trace_id);
      expect(e.parent_id).toBe(i === 0 ? null : events[i - 1]!.id);
      expect(e.timestamp).toMatch(TIMESTAMP);
      expect(e.metadata).toEqual({
        thread_id: events[0]!.metadata.thread_id,
        process_id: process.pid,
        service_name: 'bank',
        environment: 'test',
        tags: { sdk_language: 'typescript', sdk_name: 'sightline', team: 'payments' },
        duration_ns: e.metadata.duration_ns,
        instance_id: 'host-1',
        distributed_span_id: events[0]!.metadata.distributed_span_id,
      });
      // One component per live context; this context's own counter advances by one per event.
      expect(e.causality_vector).toEqual([['bank#host-1/0', i + 1]]);
      expect(Array.isArray(e.lock_set)).toBe(true);
    }
    expect(events[0]!.metadata.thread_id).toMatch(new RegExp(`^node-${process.pid}-[0-9a-f]{8}$`));
    expect(events[0]!.metadata.distributed_span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(events.map((e) => Date.parse(e.timestamp))).toEqual(
      [...events.map((e) => Date.parse(e.timestamp))].sort(),
    );

    expect(events[0]!.kind.StateChange).toEqual({
      variable: 'account:alice.balance',
      old_value: 100,
      new_value: 90,
      location: expect.stringMatching(/^test\/exporter\.test\.ts:\d+$/),
      access_type: 'Write',
    });
    expect(events[1]!.kind.FunctionCall).toEqual({
      function_name: 'sum',
      module: 'exporter',
      args: { items: 2 },
      file: 'test/exporter.test.ts',
      line: expect.any(Number),
    });
    expect(Number.isInteger(events[1]!.metadata.duration_ns)).toBe(true);
    expect(events[2]!.kind.LockAcquire).toEqual({
      lock_id: 'account:alice',
      lock_type: 'Mutex',
      location: expect.stringMatching(/^test\/exporter\.test\.ts:\d+$/),
    });
    expect(events[2]!.lock_set).toEqual(['account:alice']);
    expect(events[3]!.kind.LockRelease.lock_id).toBe('account:alice');
    expect(events[3]!.lock_set).toEqual([]);
    // duration_ms is a u64 on the server: a float would not deserialize.
    expect(events[4]!.kind.HttpResponse).toEqual({ status: 201, headers: {}, body: null, duration_ms: 13 });
    expect(events[4]!.metadata.duration_ns).toBe(12_700_000);
    expect(events[0]!.metadata.duration_ns).toBeNull();
  });

  it('sends no Authorization header without a key, and reads RACEWAY_URL / RACEWAY_API_KEY', async () => {
    const c = start({ url: undefined, variables: { RACEWAY_URL: `${server.url}/` } });
    trackStateChange('x', 1, 2, 'Write');
    await c.flush(2000);
    expect(server.posts[0]!.headers.authorization).toBeUndefined();
    expect(server.posts[0]!.headers['x-raceway-key']).toBeUndefined();
    await c.close(500);
    const c2 = start({ url: undefined, variables: { RACEWAY_URL: server.url, RACEWAY_API_KEY: KEY } });
    trackStateChange('x', 1, 2, 'Write');
    await c2.flush(2000);
    expect(server.posts[1]!.headers.authorization).toBe(`Bearer ${KEY}`);
  });

  it('copies values at the call, bounded, and scrubbed unless sendDefaultPii', async () => {
    const c = start();
    const account = { owner: 'alice@example.com', balance: 5, password: 'hunter2' };
    trackStateChange('account', account, { ...account, balance: 4 }, 'Write');
    account.balance = 999;
    trackStateChange('big', 'x'.repeat(5000), Number.NaN, 'Write');
    await c.flush(2000);
    const [a, b] = server.events().map((e) => e.kind.StateChange);
    expect(a.old_value).toEqual({ owner: '[Filtered]', balance: 5, password: '[Filtered]' });
    expect(a.new_value.balance).toBe(4);
    expect(b.old_value.length).toBeLessThan(1100);
    expect(b.new_value).toBe('NaN');
  });

  it('ignores invalid calls instead of throwing', async () => {
    const c = start();
    expect(() => trackStateChange('', 1, 2, 'Write')).not.toThrow();
    expect(() => trackStateChange('x', 1, 2, 'Scribble' as 'Write')).not.toThrow();
    expect(() => trackStateChange(42 as unknown as string, 1, 2, 'Read')).not.toThrow();
    expect(() => trackHttpResponse('200' as unknown as number, 1)).not.toThrow();
    trackStateChange('ok', 1, 2, 'Read');
    await c.flush(2000);
    expect(server.events().map((e) => e.kind.StateChange.variable)).toEqual(['ok']);
  });

  it('location capture can be turned off', async () => {
    const c = start({ captureLocation: false });
    trackStateChange('x', 1, 2, 'Write');
    trackFunctionSync('f', null, () => 0);
    await c.flush(2000);
    expect(server.events()[0]!.kind.StateChange.location).toBe('unknown:0');
    expect(server.events()[1]!.kind.FunctionCall).toMatchObject({
      file: 'unknown',
      line: 0,
      module: 'unknown',
    });
  });
});

describe('batching, bounds and the transport rules', () => {
  it('batches of 100', async () => {
    const c = start({ transport: { flushInterval: 60_000 } });
    for (let i = 0; i < 250; i++) trackStateChange('n', i, i + 1, 'Write');
    await server.waitForPosts(2);
    await c.flush(2000);
    expect(server.posts.map((p) => (p.body as { events: unknown[] }).events.length)).toEqual([100, 100, 50]);
    expect(server.events().map((e) => e.kind.StateChange.old_value)).toEqual(
      Array.from({ length: 250 }, (_, i) => i),
    );
  });

  it('a partial batch goes out after flushInterval without a flush call', async () => {
    start({ transport: { flushInterval: 50 } });
    trackStateChange('n', 0, 1, 'Write');
    trackStateChange('n', 1, 2, 'Write');
    const events = await server.waitForEvents(2, 3000);
    expect(events).toHaveLength(2);
    expect(server.posts).toHaveLength(1);
  });

  it('the queue is bounded: under a backend that does not answer, extra events are dropped and counted', async () => {
    server.answer('hang', 'hang', 'hang');
    const c = start({
      timeoutMs: 60_000,
      transport: { queueSize: 10, maxBatchSize: 5, maxInFlight: 1, flushInterval: 0 },
    });
    for (let i = 0; i < 40; i++) trackStateChange('n', i, i + 1, 'Write');
    await server.waitForPosts(1);
    const s = stats(c);
    expect(s.raceway.events + s.raceway.droppedQueueFull).toBe(40);
    expect(s.raceway.droppedQueueFull).toBe(30);
    expect(s.categories.events!.droppedQueueFull).toBe(30);
    expect(s.categories.events!.queued + s.categories.events!.inFlight).toBe(10);
  });

  it('429 holds the category for Retry-After (capped), then sends the same batch again', async () => {
    server.answer({ status: 429, headers: { 'retry-after': '30' } });
    const c = start({ transport: { maxRetryAfterMs: 150, retryBaseMs: 10 } });
    trackStateChange('n', 0, 1, 'Write');
    const started = Date.now();
    expect(await c.flush(5000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    expect(server.posts).toHaveLength(2);
    expect(server.posts[1]!.raw).toBe(server.posts[0]!.raw);
    expect(server.events()).toHaveLength(1);
    expect(stats(c).categories.events!.delivered).toBe(1);
  });

  it('429 without Retry-After (as Raceway answers) holds for defaultRetryAfterMs', async () => {
    server.answer({ status: 429 });
    const c = start({ transport: { defaultRetryAfterMs: 100, retryBaseMs: 10 } });
    trackStateChange('n', 0, 1, 'Write');
    const started = Date.now();
    expect(await c.flush(5000)).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(90);
    expect(server.events()).toHaveLength(1);
  });

  it('5xx is retried with backoff a bounded number of times; 4xx is dropped at once', async () => {
    server.answer({ status: 500 }, { status: 503 });
    const c = start({ transport: { retryBaseMs: 5 } });
    trackStateChange('n', 0, 1, 'Write');
    await c.flush(5000);
    expect(server.posts).toHaveLength(3);
    expect(server.events()).toHaveLength(1);
    expect(stats(c).categories.events!.retries).toBe(2);

    server.answer({ status: 401, body: '{"success":false,"data":null,"error":"Unauthorized"}' });
    trackStateChange('n', 1, 2, 'Write');
    await c.flush(5000);
    expect(server.posts).toHaveLength(4);
    expect(stats(c).categories.events!.droppedPermanent).toBe(1);

    server.answer({ status: 500 }, { status: 500 }, { status: 500 });
    const c2 = start({ transport: { retryBaseMs: 5, maxRetries: 2 } });
    trackStateChange('n', 2, 3, 'Write');
    await c2.flush(5000);
    expect(server.posts).toHaveLength(7);
    expect(stats(c2).categories.events!.droppedRetriesExhausted).toBe(1);
    expect(server.events()).toHaveLength(1);
  });

  it('never puts the key into debug output or stats', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => {
      lines.push(a.map(String).join(' '));
    });
    try {
      server.answer({ status: 500 }, { status: 401 });
      const c = start({ apiKey: KEY, transport: { retryBaseMs: 5 } }, true);
      trackStateChange('n', 0, 1, 'Write');
      await c.flush(2000);
      await c.close(500);
      expect(lines.length).toBeGreaterThan(0);
      expect(lines.join('\n')).not.toContain(KEY);
      expect(JSON.stringify(c.getStats())).not.toContain(KEY);
    } finally {
      spy.mockRestore();
    }
  });

  it('does nothing before init and after close', async () => {
    trackStateChange('n', 0, 1, 'Write');
    const c = start();
    await c.close(500);
    trackStateChange('n', 0, 1, 'Write');
    expect(server.posts).toHaveLength(0);
  });

  it('rejects invalid options at the factory', () => {
    expect(() => racewayExporter({ url: 'ftp://x' })).toThrow(/Invalid `url`/);
    expect(() => racewayExporter({ url: 'http://user:pw@x' })).toThrow(/without credentials/);
    expect(() => racewayExporter({ apiKey: '' })).toThrow(/Invalid `apiKey`/);
    expect(() => racewayExporter({ maxContexts: 0 })).toThrow(/Invalid `maxContexts`/);
    expect(() => racewayExporter({ tags: { a: 1 as unknown as string } })).toThrow(/Invalid `tags`/);
    expect(() => racewayExporter({ captureLocation: 'yes' as unknown as boolean })).toThrow(
      /Invalid `captureLocation`/,
    );
  });
});
