import { type Client, init, setRequestRoute, startInactiveSpan, startSpan } from '@sightline/core';
import { outboundHttpIntegration } from '@sightline/undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { skywalkingExporter } from '../src/index.js';
import { modelTraceId } from '../src/ids.js';
import { parseSw8 } from '../src/sw8.js';
import { type FakeOap, startFakeOap } from './helpers/oap.js';
import { type Downstream, type Service, call, startDownstream, startService } from './helpers/services.js';

/**
 * A Sightline service (node:http on core's runServerRequest, outbound fetch through
 * @sightline/undici) reports to a fake OAP; every segment must pass the receiver's schema check
 * and match exactly.
 */

const b64 = (s: string) => Buffer.from(s).toString('base64');
const SW_TRACE = 'a1b2c3d4.79.17000000000000001';
const INBOUND_SW8 = [
  '1',
  b64(SW_TRACE),
  b64('a1b2c3d4.79.17000000000000000'),
  '3',
  b64('gateway'),
  b64('gw-1@host'),
  b64('/api/orders'),
  b64('checkout:8080'),
].join('-');
const CROSS_PROCESS_REF = {
  refType: 'CrossProcess',
  traceId: SW_TRACE,
  parentTraceSegmentId: 'a1b2c3d4.79.17000000000000000',
  parentSpanId: 3,
  parentService: 'gateway',
  parentServiceInstance: 'gw-1@host',
  parentEndpoint: '/api/orders',
  networkAddressUsedAtPeer: 'checkout:8080',
};

let oap: FakeOap;
let down: Downstream;
let svc: Service;
let client: Client;
const time = expect.any(Number);

const segmentsOf = (traceId: string) => oap.segments().filter((s) => s.traceId === traceId);
const waitSegments = (traceId: string, n = 1) =>
  oap.waitFor(() => (segmentsOf(traceId).length >= n ? segmentsOf(traceId) : undefined));

beforeAll(async () => {
  oap = await startFakeOap();
  down = await startDownstream();
  svc = await startService(
    {
      '/orders/42': async (req, res) => {
        setRequestRoute(req, '/orders/:id');
        await startSpan({ name: 'load-order' }, async () => {
          await fetch(`${down.url}/items?sku=1`);
        });
        res.end('ok');
      },
      '/fail': async () => {
        startSpan({ name: 'charge' }, () => {
          throw new TypeError('card declined');
        });
      },
      '/later': async (req, res) => {
        setRequestRoute(req, '/later');
        const email = startInactiveSpan({ name: 'send-email' });
        res.end('ok');
        setTimeout(() => email.end(), 40);
      },
      '/fire-and-forget': async (req, res) => {
        setRequestRoute(req, '/fire-and-forget');
        const pending = fetch(`${down.url}/webhook?delay=60`);
        res.end('ok');
        await pending;
      },
      '/slow': async (req, res) => {
        setRequestRoute(req, '/slow');
        startSpan({ name: 'quick-step' }, () => undefined);
        await new Promise((r) => setTimeout(r, 450));
        res.end('ok');
      },
      '/framework': async (_req, res) => {
        res.end('ok');
      },
    },
    (path) => (path === '/framework' ? { framework: 'koa' } : undefined),
  );
  client = init({
    service: 'checkout',
    release: '1.0.0',
    defaultIntegrations: false,
    flushInterval: 20,
    exporters: [
      skywalkingExporter({
        address: oap.url,
        serviceInstance: 'checkout-1',
        authentication: 'oap-token-123',
        segmentTimeout: 250,
        keepAliveInterval: 60_000,
      }),
    ],
    propagators: ['sw8', 'w3c', 'allstak'],
    integrations: [outboundHttpIntegration({ ignoreOutgoingRequests: (url) => url.startsWith(svc.url) })],
  });
});

afterEach(() => {
  expect(oap.invalid).toEqual([]);
});

afterAll(async () => {
  await client.close(2000);
  await Promise.all([svc.stop(), down.stop(), oap.stop()]);
});

describe('one segment per request', () => {
  it('continues an inbound sw8: Entry span 0 with the CrossProcess ref, a Local span and an Exit span whose sw8 points back', async () => {
    const res = await call(`${svc.url}/orders/42`, { sw8: INBOUND_SW8 });
    expect(res.status).toBe(200);
    const traceId = modelTraceId(SW_TRACE);
    expect(res.headers['x-allstak-trace-id']).toBe(traceId);
    const [segment] = await waitSegments(SW_TRACE);
    const outbound = down.received.find((r) => r.path === '/items?sku=1');
    const sw8 = parseSw8(outbound?.headers.sw8 as string);
    expect(sw8).toEqual({
      sample: true,
      traceId: SW_TRACE,
      segmentId: segment?.traceSegmentId,
      spanId: 1,
      service: 'checkout',
      instance: 'checkout-1',
      endpoint: 'GET /orders/:id',
      address: `127.0.0.1:${down.port}`,
    });
    expect(segment?.traceSegmentId).toMatch(new RegExp(`^${traceId}\\.[0-9a-f]{16}$`));
    expect(segment).toEqual({
      traceId: SW_TRACE,
      traceSegmentId: segment?.traceSegmentId,
      service: 'checkout',
      serviceInstance: 'checkout-1',
      isSizeLimited: false,
      spans: [
        {
          spanId: 0,
          parentSpanId: -1,
          startTime: time,
          endTime: time,
          refs: [CROSS_PROCESS_REF],
          operationName: 'GET /orders/:id',
          spanType: 'Entry',
          spanLayer: 'Http',
          componentId: 4001,
          isError: false,
          tags: [
            { key: 'http.method', value: 'GET' },
            { key: 'url', value: '/orders/42' },
            { key: 'http.status_code', value: '200' },
            { key: 'http.route', value: '/orders/:id' },
          ],
          logs: [],
          skipAnalysis: false,
        },
        {
          spanId: 1,
          parentSpanId: 2,
          startTime: time,
          endTime: time,
          refs: [],
          operationName: '/items',
          peer: `127.0.0.1:${down.port}`,
          spanType: 'Exit',
          spanLayer: 'Http',
          componentId: 2,
          isError: false,
          tags: [
            { key: 'http.method', value: 'GET' },
            { key: 'url', value: `${down.url}/items` },
            { key: 'http.status_code', value: '200' },
            { key: 'server.address', value: `127.0.0.1:${down.port}` },
            { key: 'http.library', value: 'undici' },
          ],
          logs: [],
          skipAnalysis: false,
        },
        {
          spanId: 2,
          parentSpanId: 0,
          startTime: time,
          endTime: time,
          refs: [],
          operationName: 'load-order',
          spanType: 'Local',
          spanLayer: 'Unknown',
          componentId: 0,
          isError: false,
          tags: [],
          logs: [],
          skipAnalysis: false,
        },
      ],
    });
    const spans = segment?.spans as { startTime: number; endTime: number }[];
    for (const s of spans) expect(s.endTime).toBeGreaterThanOrEqual(s.startTime);
    expect(spans[0]?.startTime).toBeLessThanOrEqual(spans[2]?.startTime as number);
    const post = oap.requests.find((r) => r.path === '/v3/segments');
    expect(post?.headers.authentication).toBe('oap-token-123');
  });

  it('error spans: isError, and a log with error kind, message and stack', async () => {
    const res = await call(`${svc.url}/fail`);
    expect(res.status).toBe(500);
    const traceId = res.headers['x-allstak-trace-id'] as string;
    const [segment] = await waitSegments(traceId);
    const [entry, local] = (segment?.spans ?? []) as Record<string, unknown>[];
    expect(entry).toMatchObject({ spanId: 0, spanType: 'Entry', isError: true, refs: [], logs: [] });
    expect(entry?.tags).toContainEqual({ key: 'http.status_code', value: '500' });
    expect(local).toMatchObject({
      spanId: 1,
      parentSpanId: 0,
      operationName: 'charge',
      spanType: 'Local',
      isError: true,
    });
    const logs = local?.logs as { time: number; data: { key: string; value: string }[] }[];
    expect(logs).toHaveLength(1);
    expect(logs[0]?.time).toEqual(expect.any(Number));
    expect(logs[0]?.data.slice(0, 3)).toEqual([
      { key: 'event', value: 'error' },
      { key: 'error.kind', value: 'TypeError' },
      { key: 'message', value: 'card declined' },
    ]);
    expect(logs[0]?.data[3]?.key).toBe('stack');
    expect(logs[0]?.data[3]?.value).toMatch(/^TypeError: card declined\n\s+at /);
  });

  it('ignores an invalid sw8 and continues the W3C trace: no refs, Sightline trace id', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await call(`${svc.url}/framework`, {
      sw8: '1-garbage',
      traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
    });
    expect(res.headers['x-allstak-trace-id']).toBe(traceId);
    const [segment] = await waitSegments(traceId);
    expect(segment?.spans).toEqual([
      expect.objectContaining({ spanId: 0, parentSpanId: -1, refs: [], componentId: 4004 }),
    ]);
  });
});

describe('spans that outlive the request', () => {
  it('a span ending after the response goes to a follow-up segment with a CrossThread ref', async () => {
    const res = await call(`${svc.url}/later`);
    const traceId = res.headers['x-allstak-trace-id'] as string;
    const [first, second] = await waitSegments(traceId, 2);
    expect(((first?.spans ?? []) as unknown[]).length).toBe(1);
    expect(second?.traceSegmentId).toBe(`${first?.traceSegmentId}.1`);
    expect(second?.spans).toEqual([
      {
        spanId: 0,
        parentSpanId: -1,
        startTime: time,
        endTime: time,
        refs: [
          {
            refType: 'CrossThread',
            traceId,
            parentTraceSegmentId: first?.traceSegmentId,
            parentSpanId: 0,
            parentService: 'checkout',
            parentServiceInstance: 'checkout-1',
            parentEndpoint: 'GET /later',
            networkAddressUsedAtPeer: '',
          },
        ],
        operationName: 'send-email',
        spanType: 'Local',
        spanLayer: 'Unknown',
        componentId: 0,
        isError: false,
        tags: [],
        logs: [],
        skipAnalysis: false,
      },
    ]);
  });

  it('an outbound call still in flight when the request ends is waited for: its segment and sw8 agree', async () => {
    const res = await call(`${svc.url}/fire-and-forget`);
    const traceId = res.headers['x-allstak-trace-id'] as string;
    const [segment] = await waitSegments(traceId);
    const sw8 = parseSw8(down.received.find((r) => r.path.startsWith('/webhook'))?.headers.sw8 as string);
    expect(sw8?.segmentId).toBe(segment?.traceSegmentId);
    const exit = ((segment?.spans ?? []) as Record<string, unknown>[]).find((s) => s.spanType === 'Exit');
    expect(exit).toMatchObject({ spanId: sw8?.spanId, parentSpanId: 0, operationName: '/webhook' });
    await new Promise((r) => setTimeout(r, 100));
    expect(segmentsOf(traceId)).toHaveLength(1);
  });

  it('a request outliving segmentTimeout: finished spans go at the timeout, the entry in a follow-up', async () => {
    const res = await call(`${svc.url}/slow`, { sw8: INBOUND_SW8.replace(b64(SW_TRACE), b64('slow-trace')) });
    expect(res.status).toBe(200);
    const [first, second] = await waitSegments('slow-trace', 2);
    expect(first?.spans).toEqual([
      expect.objectContaining({ spanId: 0, parentSpanId: -1, operationName: 'quick-step', refs: [] }),
    ]);
    expect(second?.traceSegmentId).toBe(`${first?.traceSegmentId}.1`);
    expect(second?.spans).toEqual([
      expect.objectContaining({
        spanId: 0,
        parentSpanId: -1,
        spanType: 'Entry',
        refs: [{ ...CROSS_PROCESS_REF, traceId: 'slow-trace' }],
      }),
    ]);
    const stats = client.getStats().exporters.skywalking as { segments: { timedOut: number } };
    expect(stats.segments.timedOut).toBeGreaterThanOrEqual(1);
  });
});

describe('instance heartbeat', () => {
  it('reports properties and keepAlive for the instance at start', async () => {
    await oap.waitFor(() => oap.properties().length > 0 && oap.keepAlives().length > 0);
    expect(oap.keepAlives()[0]).toEqual({ service: 'checkout', serviceInstance: 'checkout-1' });
    expect(oap.properties()[0]).toEqual({
      service: 'checkout',
      serviceInstance: 'checkout-1',
      properties: [
        { key: 'language', value: 'NodeJS' },
        { key: 'OS Name', value: process.platform },
        { key: 'hostname', value: expect.any(String) },
        { key: 'Process No.', value: String(process.pid) },
        { key: 'sdk', value: expect.stringMatching(/^sightline-node\//) },
      ],
    });
  });
});
