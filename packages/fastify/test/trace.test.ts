import {
  HEX16,
  HEX32,
  HOSTILE_HEADERS,
  HOSTILE_IDS,
  UUID,
  expectProcessHubClean,
  headerOf,
  httpRequest,
  rawHttp,
  spanId,
  traceId,
  useSightline,
} from '@sightline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MAJORS, type Running, startApp } from './helpers/app.js';

// Per test: cleared before; flushed after (nothing a test sent may arrive during the next one),
// and no invalid body may have arrived.
const h = useSightline({}, { expectValid: true });

describe.each(MAJORS)('trace continuation on %s', (_major, factory) => {
  let app: Running;
  beforeAll(async () => {
    app = await startApp(factory);
  });
  afterAll(async () => {
    await app.close();
  });
  // The handlers set user, tags and breadcrumbs; requests carry traces and request ids: none of
  // it may be left on the process hub, whatever the request's outcome.
  afterEach(() => {
    expectProcessHubClean();
  });

  it('continues a sampled traceparent: span, record, log and error share the trace and parent', async () => {
    const t = traceId();
    const p = spanId();
    const ok = await fetch(`${app.url}/users/7`, { headers: { traceparent: `00-${t}-${p}-01` } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-allstak-trace-id')).toBe(t);
    const fail = await fetch(`${app.url}/users/8/fail`, { headers: { traceparent: `00-${t}-${p}-01` } });
    expect(fail.status).toBe(500);

    const spans = await h.flushed('spans');
    const records = h.server.items('http-requests');
    const errors = h.server.items('errors');
    const logs = h.server.items('logs');
    expect(spans.map((s) => [s.operation, s.traceId, s.parentSpanId])).toEqual([
      ['GET /users/:id', t, p],
      ['GET /users/:id/fail', t, p],
    ]);
    expect(records.map((r) => [r.path, r.traceId, r.parentSpanId, r.spanId])).toEqual([
      ['/users/:id', t, p, spans[0].spanId],
      ['/users/:id/fail', t, p, spans[1].spanId],
    ]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ traceId: t, spanId: spans[1].spanId, parentSpanId: p });
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ message: 'user loaded', traceId: t, spanId: spans[0].spanId });
  });

  it('honours sampled=0: no span, but the record and the error keep the trace id', async () => {
    const t = traceId();
    const p = spanId();
    const res = await fetch(`${app.url}/users/3/fail`, { headers: { traceparent: `00-${t}-${p}-00` } });
    expect(res.status).toBe(500);
    expect(res.headers.get('x-allstak-trace-id')).toBe(t);
    expect(await h.flushed('spans')).toEqual([]);
    expect(h.server.items('http-requests')).toMatchObject([
      { path: '/users/:id/fail', traceId: t, parentSpanId: p },
    ]);
    expect(h.server.items('errors')).toMatchObject([{ traceId: t, message: 'boom 3' }]);
  });

  it.each([
    ['allstak-trace sampled', (t: string, p: string) => ({ 'allstak-trace': `${t}-${p}-1` }), true, true],
    ['allstak-trace unsampled', (t: string, p: string) => ({ 'allstak-trace': `${t}-${p}-0` }), true, false],
    ['x-allstak-trace-id', (t: string) => ({ 'x-allstak-trace-id': t }), false, true],
    ['x-trace-id', (t: string) => ({ 'x-trace-id': t }), false, true],
  ])('continues %s', async (_name, headers, hasParent, sampled) => {
    const t = traceId();
    const p = spanId();
    const res = await fetch(`${app.url}/api/users/5`, { headers: headers(t, p) });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-allstak-trace-id')).toBe(t);
    const spans = await h.flushed('spans');
    const parent = hasParent ? p : '';
    expect(h.server.items('http-requests')).toMatchObject([
      { path: '/api/users/:id', traceId: t, parentSpanId: parent },
    ]);
    if (sampled)
      expect(spans).toMatchObject([{ operation: 'GET /api/users/:id', traceId: t, parentSpanId: parent }]);
    else expect(spans).toEqual([]);
  });

  it('traceparent wins over the AllStak headers when both are valid', async () => {
    const t = traceId();
    const other = traceId();
    const res = await fetch(`${app.url}/users/1`, {
      headers: {
        traceparent: `00-${t}-${spanId()}-01`,
        'allstak-trace': `${other}-${spanId()}-1`,
        'x-trace-id': other,
      },
    });
    expect(res.headers.get('x-allstak-trace-id')).toBe(t);
  });

  it('ignores hostile trace headers and starts a new trace, never failing the request', async () => {
    const seen: { name: string; trace: string; request: string }[] = [];
    for (const [name, headers] of HOSTILE_HEADERS) {
      const res = await httpRequest(`${app.url}/users/9`, { headers });
      expect(res.status, name).toBe(200);
      expect(JSON.parse(res.body), name).toEqual({ id: '9' });
      const trace = String(res.headers['x-allstak-trace-id']);
      expect(trace, name).toMatch(HEX32);
      expect(HOSTILE_IDS, name).not.toContain(trace);
      seen.push({ name, trace, request: String(res.headers['x-allstak-request-id']) });
    }
    for (const s of seen.filter((x) => x.name.startsWith('request id')))
      expect(s.request, s.name).toMatch(UUID);
    expect(new Set(seen.map((s) => s.trace)).size).toBe(HOSTILE_HEADERS.length);

    const spans = await h.flushed('spans');
    const records = h.server.items('http-requests');
    expect(records).toHaveLength(HOSTILE_HEADERS.length);
    expect(spans).toHaveLength(HOSTILE_HEADERS.length);
    // Records are sent when each response closes, so match them by trace rather than by order.
    for (const s of seen) {
      const record = records.find((r) => r.traceId === s.trace);
      const span = spans.find((x) => x.traceId === s.trace);
      expect(record, s.name).toMatchObject({
        parentSpanId: '',
        requestId: s.request,
        statusCode: 200,
        path: '/users/:id',
      });
      expect(span, s.name).toMatchObject({
        parentSpanId: '',
        operation: 'GET /users/:id',
        spanId: record.spanId,
      });
      expect(span.spanId).toMatch(HEX16);
    }
  });

  it('ignores a traceparent sent twice on two header lines (raw node:http client)', async () => {
    const t = traceId();
    const head =
      'GET /users/4 HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n' +
      `traceparent: 00-${t}-${spanId()}-01\r\ntraceparent: 00-${traceId()}-${spanId()}-01\r\n\r\n`;
    const res = await rawHttp(app.port, head);
    expect(res.status).toBe(200);
    const trace = headerOf(res.head, 'x-allstak-trace-id');
    expect(trace).toMatch(HEX32);
    expect(trace).not.toBe(t);
    await h.flushed('http-requests');
    expect(h.server.items('http-requests')).toMatchObject([
      { path: '/users/:id', traceId: trace, parentSpanId: '' },
    ]);
  });

  it('continues an inbound request id', async () => {
    const res = await fetch(`${app.url}/users/2`, { headers: { 'x-request-id': '  req-abc-123 ' } });
    expect(res.headers.get('x-allstak-request-id')).toBe('req-abc-123');
    await h.flushed('http-requests');
    expect(h.server.items('http-requests')).toMatchObject([{ requestId: 'req-abc-123' }]);
  });
});

describe.each(MAJORS)('response headers on %s', (_major, factory) => {
  let app: Running;
  beforeAll(async () => {
    app = await startApp(factory);
  });
  afterAll(async () => {
    await app.close();
  });
  afterEach(() => {
    expectProcessHubClean();
  });

  it.each([
    ['/users/1', 200],
    ['/no/such/route', 404],
    ['/users/1/fail', 500],
    ['/client-error/403', 403],
    ['/custom/teapot', 418],
  ])('%s → %i carries both headers, matching its record', async (path, status) => {
    const res = await fetch(`${app.url}${path}`);
    expect(res.status).toBe(status);
    const trace = res.headers.get('x-allstak-trace-id');
    const request = res.headers.get('x-allstak-request-id');
    expect(trace).toMatch(HEX32);
    expect(request).toMatch(UUID);
    await h.flushed('http-requests');
    expect(h.server.items('http-requests')).toMatchObject([
      { traceId: trace, requestId: request, statusCode: status },
    ]);
  });
});
