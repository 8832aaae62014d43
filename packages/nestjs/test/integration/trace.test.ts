import { expectProcessHubClean } from '@sightline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../helpers/app.js';
import { send } from '../helpers/http.js';
import { PLATFORMS } from '../helpers/nest.js';
import { HEX16, HEX32, type Telemetry, itemsFor, startTelemetry, traceparent } from '../helpers/telemetry.js';

/** Behaviour 1: inbound trace continuation, the sampled flag, and hostile headers. */
describe.each(PLATFORMS)('trace continuation (%s)', (platform) => {
  let t: Telemetry;
  let app: RunningApp;

  beforeAll(async () => {
    t = await startTelemetry();
    app = await startApp({ platform });
  });

  afterAll(async () => {
    await app?.close();
    await t?.stop();
  });

  // Handlers and middleware set user, tags and breadcrumbs; requests carry traces and request
  // ids: none of it may be left on the process hub, whatever the request's outcome.
  afterEach(() => {
    expectProcessHubClean();
  });

  it('continues a W3C traceparent: span, record, error and log all in that trace under the right parent', async () => {
    const tp = traceparent();
    const r = await send(app.url, '/users/11/sync-error', { headers: { traceparent: tp.header } });
    expect(r.status).toBe(500);
    expect(r.traceId).toBe(tp.traceId);
    const [record] = await itemsFor(t.server, 'http-requests', r.requestId!);
    const [error] = await itemsFor(t.server, 'errors', r.requestId!);
    const spans = await t.server.waitFor('spans', (s) => s.some((x) => x.traceId === tp.traceId));
    const span = spans.find((s) => s.traceId === tp.traceId);
    expect(span).toMatchObject({ parentSpanId: tp.spanId, spanId: expect.stringMatching(HEX16) });
    expect(record).toMatchObject({ traceId: tp.traceId, spanId: span.spanId, parentSpanId: tp.spanId });
    expect(error).toMatchObject({ traceId: tp.traceId, spanId: span.spanId, parentSpanId: tp.spanId });
  });

  it('honours sampled=0: no span is sent, but the record and the error still carry the trace id', async () => {
    const tp = traceparent(false);
    const r = await send(app.url, '/users/12/async-error', { headers: { traceparent: tp.header } });
    expect(r.status).toBe(500);
    expect(r.traceId).toBe(tp.traceId);
    const [record] = await itemsFor(t.server, 'http-requests', r.requestId!);
    const [error] = await itemsFor(t.server, 'errors', r.requestId!);
    expect(record.traceId).toBe(tp.traceId);
    expect(error.traceId).toBe(tp.traceId);
    // A sampled request sent afterwards is flushed after the unsampled one would have been.
    const later = traceparent();
    await send(app.url, '/users/13', { headers: { traceparent: later.header } });
    await t.server.waitFor('spans', (s) => s.some((x) => x.traceId === later.traceId));
    await t.client.flush(2000);
    expect(t.server.items('spans').filter((s) => s.traceId === tp.traceId)).toEqual([]);
  });

  it.each([
    ['allstak-trace', (trace: string, span: string) => `${trace}-${span}-1`, true],
    ['x-allstak-trace-id', (trace: string) => trace, false],
    ['x-trace-id', (trace: string) => trace, false],
  ])('continues the trace from %s', async (header, value, hasParent) => {
    const tp = traceparent();
    const r = await send(app.url, '/users/14', { headers: { [header]: value(tp.traceId, tp.spanId) } });
    expect(r.status).toBe(200);
    expect(r.traceId).toBe(tp.traceId);
    const [record] = await itemsFor(t.server, 'http-requests', r.requestId!);
    expect(record.traceId).toBe(tp.traceId);
    const spans = await t.server.waitFor('spans', (s) => s.some((x) => x.traceId === tp.traceId));
    expect(spans.find((s) => s.traceId === tp.traceId).parentSpanId).toBe(hasParent ? tp.spanId : '');
  });

  it('uses an inbound request id header as the request id', async () => {
    const r = await send(app.url, '/users/15', { headers: { 'x-request-id': 'req-abc-123' } });
    expect(r.requestId).toBe('req-abc-123');
    const [record] = await itemsFor(t.server, 'http-requests', 'req-abc-123');
    expect(record.path).toBe('/users/:id');
  });

  const valid = traceparent();
  const hostile: [string, string[]][] = [
    ['short trace id', ['traceparent', `00-${valid.traceId.slice(2)}-${valid.spanId}-01`]],
    ['long span id', ['traceparent', `00-${valid.traceId}-${valid.spanId}00-01`]],
    ['all-zero trace id', ['traceparent', `00-${'0'.repeat(32)}-${valid.spanId}-01`]],
    ['all-zero span id', ['traceparent', `00-${valid.traceId}-${'0'.repeat(16)}-01`]],
    ['non-hex', ['traceparent', `00-${'g'.repeat(32)}-${valid.spanId}-01`]],
    ['version ff', ['traceparent', `ff-${valid.traceId}-${valid.spanId}-01`]],
    ['8 KB traceparent', ['traceparent', `00-${valid.traceId}-${valid.spanId}-01${'a'.repeat(8192)}`]],
    ['8 KB allstak-trace', ['allstak-trace', 'f'.repeat(8192)]],
    ['zero x-trace-id', ['x-trace-id', '0'.repeat(32)]],
    ['garbage x-allstak-trace-id', ['x-allstak-trace-id', 'not-a-trace-id']],
    ['repeated traceparent', ['traceparent', valid.header, 'traceparent', traceparent().header]],
    ['huge request id', ['x-request-id', 'r'.repeat(8192)]],
    [
      'blank request id, bad allstak flag',
      ['x-allstak-request-id', '   ', 'allstak-trace', `${valid.traceId}-${valid.spanId}-7`],
    ],
  ];

  it.each(hostile)(
    'ignores a hostile header (%s): the request succeeds in a new trace',
    async (_name, raw) => {
      const r = await send(app.url, '/users/16', { headers: raw });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.body)).toEqual({ id: '16' });
      expect(r.traceId).toMatch(HEX32);
      expect(r.traceId).not.toBe(valid.traceId);
      expect(r.traceId).not.toBe('0'.repeat(32));
      expect(r.requestId).toBeDefined();
      expect(r.requestId!.length).toBeLessThanOrEqual(200);
      const [record] = await itemsFor(t.server, 'http-requests', r.requestId!);
      expect(record).toMatchObject({ traceId: r.traceId, path: '/users/:id', statusCode: 200 });
      expect(t.server.invalid).toEqual([]);
    },
  );
});
