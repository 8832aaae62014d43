import { createRequire } from 'node:module';
import type { Client } from '@sightline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OutboundHttpHandle, instrumentOutboundHttp } from '../src/index.js';
import {
  type Sdk,
  type Service,
  TRACEPARENT,
  startSdk,
  startServiceA,
  startServiceB,
} from './helpers/services.js';

/**
 * Node's global `fetch` on its *bundled* undici. This file never loads the npm `undici` package,
 * which would otherwise install its own Agent as the global dispatcher that `fetch` uses.
 */

const require = createRequire(import.meta.url);
const npmUndiciLoaded = () => Object.keys(require.cache).some((k) => /[\\/]undici@\d/.test(k));

let sdk: Sdk;
let client: Client;
let a: Service;
let b: Service;
let handle: OutboundHttpHandle;

beforeAll(async () => {
  sdk = await startSdk();
  client = sdk.init();
  handle = instrumentOutboundHttp({
    ignoreOutgoingRequests: (url) => a !== undefined && url.startsWith(a.url),
  });
  b = await startServiceB();
  a = await startServiceA(async () => {
    const r = await fetch(`${b.url}/ok`);
    return r.text();
  });
});

afterAll(async () => {
  handle.disable();
  await a.close();
  await b.close();
  await client.close(2000);
  await sdk.ingest.stop();
});

describe('global fetch (bundled undici)', () => {
  it("is instrumented: B's server span is the child of A's client span", async () => {
    expect(npmUndiciLoaded()).toBe(false);
    const res = await fetch(`${a.url}/call`);
    expect(await res.json()).toEqual({ ok: true, result: 'hello from B' });
    expect(npmUndiciLoaded()).toBe(false);

    const isOut = (r: any) => r.direction === 'outbound' && r.path === '/ok';
    const [out] = (await sdk.ingest.waitFor('http-requests', (r) => r.some(isOut))).filter(isOut);
    const spans = await sdk.ingest.waitFor('spans', (s) => s.some((x: any) => x.parentSpanId === out.spanId));
    const bServer = spans.find((s) => s.parentSpanId === out.spanId);
    expect(bServer).toMatchObject({ operation: 'GET /ok', traceId: out.traceId });
    expect(TRACEPARENT.exec(String(b.received[0]!.headers.traceparent))?.slice(1)).toEqual([
      out.traceId,
      out.spanId,
      '03',
    ]);
  });
});
