import { type Client, type Span, startSpan } from '@sightline/core';
import * as undici6 from 'undici6';
import * as undici7 from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OutboundHttpHandle, instrumentOutboundHttp } from '../src/index.js';
import { type Sdk, type Service, startSdk, startServiceB } from './helpers/services.js';

/**
 * A Pool limited to one connection queues the second call and creates its undici Request later,
 * from the first call's socket callback, i.e. in the first call's async context. The second call
 * must still be recorded in its own trace, with its own headers.
 */

let sdk: Sdk;
let client: Client;
let b: Service;
let handle: OutboundHttpHandle;

beforeAll(async () => {
  sdk = await startSdk();
  client = sdk.init();
  handle = instrumentOutboundHttp();
  b = await startServiceB();
});

afterAll(async () => {
  handle.disable();
  await b.close();
  await client.close(2000);
  await sdk.ingest.stop();
});

interface PoolLike {
  request(options: { path: string; method: 'GET' }): Promise<{ body: { text(): Promise<string> } }>;
  close(): Promise<void>;
}

describe.each([
  ['undici 7', (): PoolLike => new undici7.Pool(b.url, { connections: 1 })],
  ['undici 6', (): PoolLike => new undici6.Pool(b.url, { connections: 1 })],
])('%s Pool with connections: 1', (_name, makePool) => {
  it('keeps each queued call in the trace that made it', async () => {
    sdk.ingest.clear();
    b.received.length = 0;
    const pool = makePool();
    const roots: Span[] = [];
    try {
      await Promise.all(
        ['/delay/60', '/delay/1'].map((path) =>
          startSpan({ name: `root ${path}` }, async (span) => {
            roots.push(span);
            const r = await pool.request({ path, method: 'GET' });
            await r.body.text();
          }),
        ),
      );
    } finally {
      await pool.close();
    }
    const out = (items: any[]) =>
      items.filter((r) => r.direction === 'outbound' && r.path.startsWith('/delay/'));
    const records = out(await sdk.ingest.waitFor('http-requests', (r) => out(r).length === 2));
    for (const root of roots) {
      const rec = records.find((r) => r.parentSpanId === root.spanId);
      expect(rec?.traceId).toBe(root.traceId);
    }
    // B saw each call in its caller's trace, in queue order.
    const traces = b.received.map((r) => String(r.headers.traceparent).split('-')[1]);
    expect(traces).toEqual(roots.map((r) => r.traceId));
  });
});
