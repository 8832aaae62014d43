import {
  HEX16,
  ISO,
  abortAfter,
  httpRequest,
  makeGate,
  spanId,
  traceId,
  useSightline,
} from '@sightline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAJORS, type Running, startApp } from './helpers/app.js';

// Per test: cleared before; flushed after, and no invalid body may have arrived. The service
// name is asserted on every record and span below.
const h = useSightline({ service: 'fastify-test' }, { expectValid: true });

describe.each(MAJORS)('records and spans on %s', (_major, factory) => {
  let app: Running;
  beforeAll(async () => {
    app = await startApp(factory);
  });
  afterAll(async () => {
    await app.close();
  });

  it('sends exactly one /http-requests record and one server span with every field', async () => {
    const t = traceId();
    const p = spanId();
    const res = await fetch(`${app.url}/users/42?secret=1`, {
      headers: { traceparent: `00-${t}-${p}-01`, 'x-request-id': 'req-42', 'user-agent': 'records-test' },
    });
    const body = await res.text();
    expect(res.status).toBe(200);
    expect(body).toBe('{"id":"42"}');

    const spans = await h.flushed('spans');
    const records = h.server.items('http-requests');
    expect(spans).toHaveLength(1);
    expect(records).toHaveLength(1);
    const span = spans[0];
    expect(span).toEqual({
      traceId: t,
      spanId: expect.stringMatching(HEX16),
      parentSpanId: p,
      operation: 'GET /users/:id',
      status: 'ok',
      durationMs: expect.any(Number),
      startTimeMillis: expect.any(Number),
      endTimeMillis: expect.any(Number),
      service: 'fastify-test',
      environment: 'test',
      release: '1.0.0',
      tags: {
        'span.kind': 'server',
        framework: 'fastify',
        'http.method': 'GET',
        'http.route': '/users/:id',
        'http.status_code': '200',
      },
    });
    expect(span.endTimeMillis).toBeGreaterThanOrEqual(span.startTimeMillis);
    expect(records[0]).toEqual({
      direction: 'inbound',
      method: 'GET',
      host: `127.0.0.1:${app.port}`,
      path: '/users/:id',
      statusCode: 200,
      durationMs: expect.any(Number),
      timestamp: expect.stringMatching(ISO),
      traceId: t,
      spanId: span.spanId,
      parentSpanId: p,
      requestId: 'req-42',
      responseSize: Buffer.byteLength(body),
      userId: '42',
      environment: 'test',
      release: '1.0.0',
      service: 'fastify-test',
    });
    expect(Date.parse(records[0].timestamp)).toBeLessThanOrEqual(Date.now());
  });

  it('records a POST with its request size and status 201', async () => {
    const payload = JSON.stringify({ name: 'ada' });
    const res = await fetch(`${app.url}/users/5`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: payload,
    });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ id: '5', body: { name: 'ada' } });
    await h.flushed('http-requests');
    expect(h.server.items('http-requests')).toMatchObject([
      {
        method: 'POST',
        path: '/users/:id',
        statusCode: 201,
        requestSize: Buffer.byteLength(payload),
        userId: '5',
      },
    ]);
  });

  it.each([
    ['/api/users/3', 'GET /api/users/:id', '/api/users/:id'],
    ['/api', 'GET /api', '/api'],
    ['/api/v2/items/9', 'GET /api/v2/items/:itemId', '/api/v2/items/:itemId'],
    ['/api/v2/files/a/b.txt', 'GET /api/v2/files/*', '/api/v2/files/*'],
  ])('joins register() prefixes: %s → %s', async (path, operation, route) => {
    const res = await fetch(`${app.url}${path}`);
    expect(res.status).toBe(200);
    const spans = await h.flushed('spans');
    expect(spans.map((s) => [s.operation, s.tags['http.route']])).toEqual([[operation, route]]);
    expect(h.server.items('http-requests').map((r) => r.path)).toEqual([route]);
  });

  it('names requests that matched no route <unmatched>, never the raw path', async () => {
    const res = await fetch(`${app.url}/no/such/route/12345`);
    expect(res.status).toBe(404);
    const spans = await h.flushed('spans');
    expect(spans).toMatchObject([
      {
        operation: 'GET <unmatched>',
        status: 'ok',
        tags: { 'http.route': '<unmatched>', 'http.status_code': '404' },
      },
    ]);
    expect(h.server.items('http-requests')).toMatchObject([{ path: '<unmatched>', statusCode: 404 }]);
    expect(JSON.stringify(h.server.items('http-requests'))).not.toContain('12345');
  });

  it('records HEAD requests answered by the automatic HEAD route', async () => {
    const res = await httpRequest(`${app.url}/users/11`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    const spans = await h.flushed('spans');
    expect(spans).toMatchObject([{ operation: 'HEAD /users/:id', tags: { 'http.method': 'HEAD' } }]);
    expect(h.server.items('http-requests')).toMatchObject([
      { method: 'HEAD', path: '/users/:id', statusCode: 200 },
    ]);
  });

  it('records OPTIONS on an explicit route and on a path without one', async () => {
    const explicit = await httpRequest(`${app.url}/explicit`, { method: 'OPTIONS' });
    expect(explicit.status).toBe(204);
    expect(explicit.headers['x-allstak-trace-id']).toBeDefined();
    const none = await httpRequest(`${app.url}/users/1`, { method: 'OPTIONS' });
    expect(none.status).toBe(404);
    await h.flushed('http-requests');
    const records = h.server.items('http-requests');
    expect(records).toHaveLength(2);
    expect(records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ method: 'OPTIONS', path: '/explicit', statusCode: 204 }),
        expect.objectContaining({ method: 'OPTIONS', path: '<unmatched>', statusCode: 404 }),
      ]),
    );
  });

  it('records a streamed response (reply.send(stream)) once, when the stream has ended', async () => {
    const started = Date.now();
    const res = await fetch(`${app.url}/stream`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('chunk 0\nchunk 1\nchunk 2\n');
    const took = Date.now() - started;
    const records = await h.flushed('http-requests');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ path: '/stream', statusCode: 200 });
    expect(records[0].metadata).toBeUndefined();
    // Three 5 ms chunks: the record covers the whole stream, not only the handler.
    expect(records[0].durationMs).toBeGreaterThanOrEqual(10);
    expect(records[0].durationMs).toBeLessThanOrEqual(took + 5);
    expect(h.server.items('spans')).toMatchObject([{ operation: 'GET /stream', status: 'ok' }]);
  });

  it('records a stream that fails before any data as the error response Fastify sends', async () => {
    const res = await fetch(`${app.url}/stream-error`);
    expect(res.status).toBe(500);
    await res.text();
    const records = await h.flushed('http-requests');
    expect(records).toMatchObject([{ path: '/stream-error', statusCode: 500 }]);
    expect(h.server.items('spans')).toMatchObject([{ operation: 'GET /stream-error', status: 'error' }]);
    expect(h.server.items('errors')).toMatchObject([{ message: 'stream broke before any data' }]);
  });

  it('records a stream that breaks after the headers went out as aborted, keeping its status', async () => {
    const res = await fetch(`${app.url}/stream-broken-midway`);
    expect(res.status).toBe(200);
    await expect(res.text()).rejects.toThrow();
    const records = await h.server.waitFor('http-requests', 1);
    expect(records).toMatchObject([
      { path: '/stream-broken-midway', statusCode: 200, metadata: { aborted: true } },
    ]);
    await h.flushed('errors');
    // Fastify only logs a stream error once the status is out: no hook sees it, so no event.
    expect(h.server.items('errors')).toEqual([]);
    expect(h.server.items('http-requests')).toHaveLength(1);
  });
});

describe.each(MAJORS)('requests the client abandons on %s', (_major, factory) => {
  it('records 499 with metadata.aborted when the client leaves before the answer', async () => {
    const g = makeGate();
    const app = await startApp(factory, { gate: g.gate });
    try {
      const t = traceId();
      await abortAfter(app.port, '/wait', g.waiting, `traceparent: 00-${t}-${spanId()}-01\r\n`);
      const records = await h.server.waitFor('http-requests', 1);
      expect(records).toMatchObject([
        { path: '/wait', statusCode: 499, metadata: { aborted: true }, traceId: t },
      ]);
      // The handler goes on after the client left: its work stays in the request's trace, and
      // finishing it neither records the request again nor fails.
      g.open();
      const logs = await h.server.waitFor('logs', 1);
      expect(logs).toMatchObject([{ message: 'after the client left', traceId: t }]);
      await h.flushed('spans');
      expect(h.server.items('http-requests')).toHaveLength(1);
      expect(h.server.items('spans')).toMatchObject([
        { operation: 'GET /wait', traceId: t, tags: { 'http.status_code': '499', 'http.aborted': 'true' } },
      ]);
    } finally {
      g.open();
      await app.close();
    }
  });

  it('keeps the status already sent when the client leaves a stream midway, marked aborted', async () => {
    const g = makeGate();
    const app = await startApp(factory, { gate: g.gate });
    try {
      await abortAfter(app.port, '/stream-forever', g.waiting);
      const records = await h.server.waitFor('http-requests', 1);
      expect(records).toMatchObject([
        { path: '/stream-forever', statusCode: 200, metadata: { aborted: true } },
      ]);
      g.open();
      await h.flushed('http-requests');
      expect(h.server.items('http-requests')).toHaveLength(1);
    } finally {
      g.open();
      await app.close();
    }
  });
});
