import dc from 'node:diagnostics_channel';
import type { Client } from '@sightline/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OutboundHttpHandle, instrumentOutboundHttp } from '../src/index.js';
import { CALLERS, type Caller, closeCallers } from './helpers/callers.js';
import {
  type Sdk,
  type Service,
  TRACEPARENT,
  selfSignedCert,
  startSdk,
  startServiceA,
  startServiceB,
} from './helpers/services.js';

/**
 * Two real services on 127.0.0.1: A (Fastify on core's runServerRequest) calls B (node:http on
 * runServerRequest, or node:https for a TLS-only caller) with each client. B's server span must
 * be the child of A's client span.
 */

let sdk: Sdk;
let client: Client;
let b: Service;
/** B over https, with a self-signed certificate made for this run. */
let bTls: Service;
let a: Service;
let handle: OutboundHttpHandle;
// What A does on GET /call; set per test.
let call: () => Promise<unknown> = async () => undefined;
// Feature detection, as in http-module.test.ts: only where Node publishes
// `http.client.request.created` (>= 22.12) can http/https.request carry trace headers.
let createdPublished = false;
const onCreated = () => {
  createdPublished = true;
};

beforeAll(async () => {
  sdk = await startSdk();
  client = sdk.init();
  // The test's own calls to A are left alone, so that A is where each trace starts.
  handle = instrumentOutboundHttp({
    ignoreOutgoingRequests: (url) => a !== undefined && url.startsWith(a.url),
  });
  dc.subscribe('http.client.request.created', onCreated);
  b = await startServiceB();
  bTls = await startServiceB({ tls: await selfSignedCert() });
  a = await startServiceA(() => call());
});

afterAll(async () => {
  dc.unsubscribe('http.client.request.created', onCreated);
  handle.disable();
  await closeCallers();
  await a.close();
  await b.close();
  await bTls.close();
  await client.close(2000);
  await sdk.ingest.stop();
});

beforeEach(() => {
  sdk.ingest.clear();
  b.received.length = 0;
  bTls.received.length = 0;
});

afterEach(async () => {
  await client.flush(2000);
});

const outbound = (items: any[]) => items.filter((r) => r.direction === 'outbound' && r.path === '/ok');
const inbound = (items: any[]) => items.filter((r) => r.direction === 'inbound' && r.path === '/ok');

/** Waits until B's inbound record and A's outbound record to B have arrived. */
async function recordsOfOneCall(): Promise<{ out: any; into: any }> {
  const items = await sdk.ingest.waitFor(
    'http-requests',
    (r) => outbound(r).length >= 1 && inbound(r).length >= 1,
  );
  expect(outbound(items)).toHaveLength(1);
  expect(inbound(items)).toHaveLength(1);
  return { out: outbound(items)[0], into: inbound(items)[0] };
}

/** A's `/call` makes one call to `target`'s `/ok` (with a query string that must not leak). */
function useCaller(caller: Caller, target: Service = b): void {
  call = async () => {
    const r = await caller(`${target.url}/ok?secret=s3cr3t`);
    expect(r).toEqual({ status: 200, body: 'hello from B' });
    return r.status;
  };
}

describe.each(CALLERS)('%s from inside a sampled request', (_name, caller, traits) => {
  it("records a client span under A's, which B's server span continues wherever headers can go", async () => {
    const target = traits.https ? bTls : b;
    useCaller(caller, target);
    const res = await fetch(`${a.url}/call`);
    expect(res.status).toBe(200);
    await res.text();

    const { out, into } = await recordsOfOneCall();
    const spans = await sdk.ingest.waitFor(
      'spans',
      (s) =>
        [out.spanId, into.spanId].every((id) => s.some((x: any) => x.spanId === id)) &&
        s.some((x: any) => x.operation === 'GET /call' && x.traceId === out.traceId),
    );
    const aServer = spans.find((s) => s.operation === 'GET /call');
    const clientSpan = spans.find((s) => s.spanId === out.spanId);
    const bServer = spans.find((s) => s.spanId === into.spanId);
    expect(bServer.operation).toBe('GET /ok');

    // The client span: child of A's server span, named and described per the spec, no query string.
    expect(clientSpan).toMatchObject({
      traceId: aServer.traceId,
      parentSpanId: aServer.spanId,
      operation: 'http.client',
      description: `GET 127.0.0.1:${target.port}/ok`,
      status: 'ok',
    });
    expect(clientSpan.tags).toMatchObject({
      'span.kind': 'client',
      'http.status_code': '200',
      'http.method': 'GET',
    });
    expect(JSON.stringify(clientSpan)).not.toContain('s3cr3t');

    // The outbound record.
    expect(out).toMatchObject({
      direction: 'outbound',
      method: 'GET',
      host: `127.0.0.1:${target.port}`,
      path: '/ok',
      statusCode: 200,
      parentSpanId: aServer.spanId,
      responseSize: 12,
      release: '1.0.0',
    });
    expect(typeof out.durationMs).toBe('number');
    expect(Number.isNaN(Date.parse(out.timestamp))).toBe(false);
    expect(sdk.ingest.invalid).toEqual([]);

    const h = target.received[0]!.headers;
    if (traits.httpModule && !createdPublished) {
      // Node 20: `http.client.request.start` comes after the headers were written (README,
      // "Supported clients"): the call is recorded, but B cannot continue the trace.
      for (const name of ['traceparent', 'allstak-trace', 'x-allstak-trace-id', 'baggage'])
        expect(h[name], name).toBeUndefined();
      expect(into.traceId).not.toBe(out.traceId);
      expect(bServer).toMatchObject({ traceId: into.traceId, parentSpanId: '' });
      return;
    }

    // B continued A's client span.
    expect(bServer.traceId).toBe(clientSpan.traceId);
    expect(bServer.parentSpanId).toBe(clientSpan.spanId);
    expect(into.traceId).toBe(out.traceId);
    expect(into.parentSpanId).toBe(out.spanId);

    // The headers B saw: the client span as parent, flags carried (sampled + random from the root).
    const tp = TRACEPARENT.exec(String(h.traceparent));
    expect(tp?.slice(1)).toEqual([out.traceId, out.spanId, '03']);
    expect(h['allstak-trace']).toBe(`${out.traceId}-${out.spanId}-1`);
    expect(h['x-allstak-trace-id']).toBe(out.traceId);
    expect(h['x-allstak-request-id']).toBe(out.requestId);
    expect(String(h.baggage)).toContain(`allstak-trace_id=${out.traceId}`);
    expect(String(h.baggage)).toContain(`allstak-span_id=${out.spanId}`);
  });
});

describe('trace context (W3C Level 2) through A to B', () => {
  const T = '4bf92f3577b34da6a3ce929d0e0e4736';
  const S = '00f067aa0ba902b7';
  const viaA = async (headers: Record<string, string>) => {
    useCaller(CALLERS[0]![1]);
    const res = await fetch(`${a.url}/call`, { headers });
    expect(res.status).toBe(200);
    await res.text();
    return b.received[0]!.headers;
  };

  it('carries the sampled flag and forwards tracestate, without inventing the random bit', async () => {
    const h = await viaA({
      traceparent: `00-${T}-${S}-01`,
      tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7',
    });
    const { out } = await recordsOfOneCall();
    expect(TRACEPARENT.exec(String(h.traceparent))?.slice(1)).toEqual([T, out.spanId, '01']);
    expect(h.tracestate).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
  });

  it('drops an invalid tracestate (33 members) without touching traceparent', async () => {
    const tooMany = Array.from({ length: 33 }, (_, i) => `k${i}=v${i}`).join(',');
    const h = await viaA({ traceparent: `00-${T}-${S}-01`, tracestate: tooMany });
    const { out } = await recordsOfOneCall();
    expect(TRACEPARENT.exec(String(h.traceparent))?.slice(1)).toEqual([T, out.spanId, '01']);
    expect(h.tracestate).toBeUndefined();
  });

  it('parses a higher version by its known fields and answers with version 00', async () => {
    const h = await viaA({ traceparent: `01-${T}-${S}-01-what-the-future-holds` });
    const { out } = await recordsOfOneCall();
    expect(out.traceId).toBe(T);
    expect(TRACEPARENT.exec(String(h.traceparent))?.slice(1)).toEqual([T, out.spanId, '01']);
  });

  it.each([
    ['version ff', `ff-${T}-${S}-01`],
    ['upper-case hex', `00-${T.toUpperCase()}-${S}-01`],
    ['zero trace id', `00-${'0'.repeat(32)}-${S}-01`],
    ['too short', `00-${T}-${S}-1`],
  ])('starts a new trace for %s', async (_label, traceparent) => {
    const h = await viaA({ traceparent });
    const { out, into } = await recordsOfOneCall();
    expect(out.traceId).not.toBe(T);
    expect(into.traceId).toBe(out.traceId);
    expect(TRACEPARENT.exec(String(h.traceparent))?.[1]).toBe(out.traceId);
  });
});

describe('an unsampled trace', () => {
  beforeAll(() => {
    client = sdk.init({ tracesSampleRate: 0 });
  });
  afterAll(() => {
    client = sdk.init();
  });

  it('still propagates -00 (random bit kept) and sends records but no spans', async () => {
    const T = '0af7651916cd43dd8448eb211c80319c';
    useCaller(CALLERS[0]![1]);
    const res = await fetch(`${a.url}/call`, { headers: { traceparent: `00-${T}-b7ad6b7169203331-02` } });
    expect(res.status).toBe(200);
    await res.text();
    const { out, into } = await recordsOfOneCall();
    expect(out.traceId).toBe(T);
    expect(into.traceId).toBe(T);
    expect(into.parentSpanId).toBe(out.spanId);
    const h = b.received[0]!.headers;
    expect(TRACEPARENT.exec(String(h.traceparent))?.slice(1)).toEqual([T, out.spanId, '02']);
    expect(h['allstak-trace']).toBe(`${T}-${out.spanId}-0`);
    await client.flush(2000);
    expect(sdk.ingest.items('spans')).toEqual([]);
  });
});

describe('a request made outside any trace', () => {
  it('is recorded without a parent, as the root of a new trace', async () => {
    // Straight from the test, not from inside A: the process hub, no active span.
    const r = await fetch(`${b.url}/ok`);
    expect(await r.text()).toBe('hello from B');
    const { out, into } = await recordsOfOneCall();
    expect(out.parentSpanId).toBe('');
    expect(into.traceId).toBe(out.traceId);
    expect(into.parentSpanId).toBe(out.spanId);
    const spans = await sdk.ingest.waitFor('spans', (s) => s.some((x: any) => x.spanId === out.spanId));
    expect(spans.find((s) => s.spanId === out.spanId)).toMatchObject({
      operation: 'http.client',
      parentSpanId: '',
    });
  });
});
