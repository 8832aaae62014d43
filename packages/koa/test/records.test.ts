import { createServer } from 'node:http';
import { getCurrentHub } from '@sightline/core';
import {
  HEX16,
  ISO,
  type Listening,
  abandonRequest,
  httpRequest,
  listen,
  makeGate,
  spanId,
  traceId,
  useSightline,
} from '@sightline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAJORS, buildApp } from './helpers/app.js';

// The service name is asserted on every record and span below.
const h = useSightline({ service: 'koa-test' });

describe.each(MAJORS)('records and spans on %s', (_major, KoaApp) => {
  let app: Listening;
  const g = { current: makeGate() };
  beforeAll(async () => {
    const proxyGate = {
      onWaiting: () => g.current.gate.onWaiting(),
      get release() {
        return g.current.gate.release;
      },
    };
    app = await listen(createServer(buildApp(KoaApp, { gate: proxyGate }).callback()));
  });
  afterAll(async () => {
    await app.close();
  });

  it('sends exactly one /http-requests record and one server span with every field', async () => {
    const t = traceId();
    const p = spanId();
    const before = Date.now();
    const res = await fetch(`${app.url}/api/users/42?secret=1`, {
      method: 'GET',
      headers: { traceparent: `00-${t}-${p}-01`, 'user-agent': 'records-test' },
    });
    const body = await res.text();
    expect(res.status).toBe(200);
    const spans = await h.flushed('spans');
    const records = h.server.items('http-requests');
    expect(spans).toHaveLength(1);
    expect(records).toHaveLength(1);
    const span = spans[0];
    expect(records[0]).toEqual({
      direction: 'inbound',
      method: 'GET',
      host: `127.0.0.1:${app.port}`,
      path: '/api/users/:id',
      statusCode: 200,
      durationMs: expect.any(Number),
      timestamp: expect.stringMatching(ISO),
      traceId: t,
      spanId: span.spanId,
      parentSpanId: p,
      requestId: res.headers.get('x-allstak-request-id'),
      responseSize: Buffer.byteLength(body),
      userId: '42',
      environment: 'test',
      release: '1.0.0',
      service: 'koa-test',
    });
    expect(Date.parse(records[0].timestamp)).toBeGreaterThanOrEqual(before - 1);
    expect(span).toEqual({
      traceId: t,
      spanId: expect.stringMatching(HEX16),
      parentSpanId: p,
      operation: 'GET /api/users/:id',
      status: 'ok',
      durationMs: expect.any(Number),
      startTimeMillis: expect.any(Number),
      endTimeMillis: expect.any(Number),
      service: 'koa-test',
      environment: 'test',
      release: '1.0.0',
      tags: {
        'span.kind': 'server',
        framework: 'koa',
        'http.method': 'GET',
        'http.route': '/api/users/:id',
        'http.status_code': '200',
      },
    });
    expect(span.endTimeMillis - span.startTimeMillis).toBeGreaterThanOrEqual(span.durationMs - 1);
    expect(h.server.invalid).toEqual([]);
  });

  it('records the request size of a body and the created status', async () => {
    const payload = JSON.stringify({ name: 'Ada' });
    const res = await fetch(`${app.url}/users/5`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    expect(res.status).toBe(201);
    await h.flushed('http-requests');
    expect(h.server.items('http-requests')).toMatchObject([
      { method: 'POST', path: '/users/:id', statusCode: 201, requestSize: Buffer.byteLength(payload) },
    ]);
  });

  it('uses <unmatched> for a request no route matched, never its path', async () => {
    const res = await fetch(`${app.url}/nothing/here/123`);
    expect(res.status).toBe(404);
    const spans = await h.flushed('spans');
    expect(h.server.items('http-requests')).toMatchObject([{ path: '<unmatched>', statusCode: 404 }]);
    expect(spans).toMatchObject([{ operation: 'GET <unmatched>', status: 'ok' }]);
    expect(JSON.stringify(h.server.requests.map((r) => r.body))).not.toContain('/nothing/here');
  });

  it('records HEAD against the GET route and OPTIONS with and without an explicit route', async () => {
    const head = await httpRequest(`${app.url}/users/3`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const auto = await httpRequest(`${app.url}/users/3`, { method: 'OPTIONS' });
    expect(auto.status).toBe(200);
    expect(auto.headers.allow).toContain('GET');
    const explicit = await httpRequest(`${app.url}/explicit`, { method: 'OPTIONS' });
    expect(explicit.status).toBe(204);
    for (const r of [head, auto, explicit]) expect(r.headers['x-allstak-trace-id']).toBeDefined();
    const spans = await h.flushed('spans');
    const records = h.server.items('http-requests');
    // Records go out at each response's 'close', whose order is not guaranteed.
    expect(records.map((r) => [r.method, r.path, r.statusCode]).sort()).toEqual([
      ['HEAD', '/users/:id', 200],
      ['OPTIONS', '/explicit', 204],
      // router.allowedMethods() answers OPTIONS when no route handles the method: no route matched.
      ['OPTIONS', '<unmatched>', 200],
    ]);
    expect(spans.map((s) => s.operation).sort()).toEqual([
      'HEAD /users/:id',
      'OPTIONS /explicit',
      'OPTIONS <unmatched>',
    ]);
  });

  it('records a streamed response once, when it ends', async () => {
    const res = await fetch(`${app.url}/stream`);
    expect(await res.text()).toBe('chunk 0\nchunk 1\nchunk 2\ndone\n');
    const spans = await h.flushed('spans');
    const records = h.server.items('http-requests');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ path: '/stream', statusCode: 200 });
    expect(records[0].durationMs).toBeGreaterThanOrEqual(10);
    expect(records[0].metadata).toBeUndefined();
    expect(records[0].responseSize).toBeUndefined();
    expect(spans).toMatchObject([{ operation: 'GET /stream', status: 'ok' }]);
  });

  it('records a request the client abandoned before the response as 499, aborted, once', async () => {
    g.current = makeGate();
    await abandonRequest(`${app.url}/wait`, g.current.waiting);
    const records = await h.server.waitFor('http-requests', 1);
    expect(records).toMatchObject([{ path: '/wait', statusCode: 499, metadata: { aborted: true } }]);
    const requestId = records[0].requestId;
    // The handler goes on after the client left, still inside its own request context.
    g.current.open();
    const logs = await h.server.waitFor('logs', 1);
    expect(logs).toMatchObject([
      { message: 'after the client left', requestId, traceId: records[0].traceId },
    ]);
    const spans = await h.flushed('spans');
    expect(h.server.items('http-requests')).toHaveLength(1);
    expect(spans).toMatchObject([
      { operation: 'GET /wait', tags: { 'http.status_code': '499', 'http.aborted': 'true' } },
    ]);
    // Nothing of the request leaked into the code outside it.
    expect(getCurrentHub().scope.requestId).toBeUndefined();
  });

  it('records a stream the client abandoned after the headers with its status, aborted', async () => {
    g.current = makeGate();
    await abandonRequest(`${app.url}/stream-forever`, g.current.waiting, true);
    const records = await h.server.waitFor('http-requests', 1);
    expect(records).toMatchObject([
      { path: '/stream-forever', statusCode: 200, metadata: { aborted: true } },
    ]);
    g.current.open();
    await h.flushed('http-requests');
    expect(h.server.items('http-requests')).toHaveLength(1);
  });
});
