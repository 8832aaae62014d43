import { getProcessHub } from '@sightline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../helpers/app.js';
import { send } from '../helpers/http.js';
import { PLATFORMS } from '../helpers/nest.js';
import {
  ENVIRONMENT,
  HEX16,
  HEX32,
  RELEASE,
  SERVICE,
  type Telemetry,
  itemsFor,
  startTelemetry,
  traceparent,
} from '../helpers/telemetry.js';

/** Behaviours 2 and 3: response headers everywhere, one exact record + span per request, route templates. */
describe.each(PLATFORMS)('records and route templates (%s)', (platform) => {
  let t: Telemetry;
  let plain: RunningApp;
  let prefixed: RunningApp;

  beforeAll(async () => {
    t = await startTelemetry();
    plain = await startApp({ platform, cors: true });
    prefixed = await startApp({ platform, prefix: { prefix: 'api', exclude: ['health'] }, versioning: true });
  });

  afterAll(async () => {
    await plain?.close();
    await prefixed?.close();
    await t?.stop();
  });

  it('sends exactly one record and one server span with the controller + method template', async () => {
    const tp = traceparent();
    const r = await send(plain.url, '/users/42?verbose=1', {
      headers: { traceparent: tp.header, 'user-agent': 'records-test' },
    });
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ id: '42' });
    expect(r.traceId).toBe(tp.traceId);
    expect(r.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const [record, ...more] = await itemsFor(t.server, 'http-requests', r.requestId!);
    expect(more).toEqual([]);
    const spans = await t.server.waitFor('spans', (s) => s.some((x) => x.traceId === tp.traceId));
    const mine = spans.filter((s) => s.traceId === tp.traceId);
    expect(mine).toHaveLength(1);
    const span = mine[0];
    expect(record).toEqual({
      direction: 'inbound',
      method: 'GET',
      host: `127.0.0.1:${plain.port}`,
      path: '/users/:id',
      statusCode: 200,
      durationMs: expect.any(Number),
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      traceId: tp.traceId,
      spanId: span.spanId,
      parentSpanId: tp.spanId,
      requestId: r.requestId,
      responseSize: Buffer.byteLength(r.body),
      userId: '42',
      environment: ENVIRONMENT,
      release: RELEASE,
      service: SERVICE,
    });
    expect(span).toMatchObject({
      traceId: tp.traceId,
      spanId: expect.stringMatching(HEX16),
      parentSpanId: tp.spanId,
      operation: 'GET /users/:id',
      status: 'ok',
      tags: expect.objectContaining({
        'span.kind': 'server',
        'http.method': 'GET',
        'http.route': '/users/:id',
        'http.status_code': '200',
        framework: 'nestjs',
      }),
    });
    expect(t.server.invalid).toEqual([]);
  });

  it('records POST bodies with their size, and 400s from validation without an error event', async () => {
    const body = JSON.stringify({ name: 'Grace' });
    const ok = await send(plain.url, '/users', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(ok.status).toBe(201);
    expect(JSON.parse(ok.body)).toEqual({ created: 'Grace' });
    const [rec] = await itemsFor(t.server, 'http-requests', ok.requestId!);
    expect(rec).toMatchObject({
      method: 'POST',
      path: '/users',
      statusCode: 201,
      requestSize: Buffer.byteLength(body),
    });

    const bad = await send(plain.url, '/users', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400);
    expect(bad.traceId).toMatch(HEX32);
    const [badRec] = await itemsFor(t.server, 'http-requests', bad.requestId!);
    expect(badRec).toMatchObject({ path: '/users', statusCode: 400 });
  });

  it('records a malformed JSON body (rejected before routing) with headers', async () => {
    const r = await send(plain.url, '/users', {
      method: 'POST',
      body: '{"name":',
      headers: { 'content-type': 'application/json' },
    });
    expect(r.status).toBe(400);
    expect(r.traceId).toMatch(HEX32);
    expect(r.requestId).toBeDefined();
    const [rec] = await itemsFor(t.server, 'http-requests', r.requestId!);
    // Express parses bodies before routing; Fastify routes first, then parses.
    expect(rec).toMatchObject({
      method: 'POST',
      statusCode: 400,
      path: platform === 'express' ? '<unmatched>' : '/users',
    });
  });

  it('answers 404 for unknown paths with headers and an <unmatched> record, never the raw path', async () => {
    const r = await send(plain.url, '/no/such/path/123');
    expect(r.status).toBe(404);
    expect(r.traceId).toMatch(HEX32);
    expect(r.requestId).toBeDefined();
    const [rec] = await itemsFor(t.server, 'http-requests', r.requestId!);
    expect(rec).toMatchObject({ method: 'GET', path: '<unmatched>', statusCode: 404 });
    const spans = await t.server.waitFor('spans', (s) => s.some((x) => x.traceId === r.traceId));
    expect(spans.find((s) => s.traceId === r.traceId)).toMatchObject({
      operation: 'GET <unmatched>',
      status: 'ok',
    });
  });

  it('puts headers on 500 answers and marks the span as an error', async () => {
    const r = await send(plain.url, '/users/7/sync-error');
    expect(r.status).toBe(500);
    expect(r.traceId).toMatch(HEX32);
    expect(r.requestId).toBeDefined();
    const [rec] = await itemsFor(t.server, 'http-requests', r.requestId!);
    expect(rec).toMatchObject({ path: '/users/:id/sync-error', statusCode: 500, userId: '7' });
    const spans = await t.server.waitFor('spans', (s) => s.some((x) => x.traceId === r.traceId));
    expect(spans.find((s) => s.traceId === r.traceId)).toMatchObject({
      operation: 'GET /users/:id/sync-error',
      status: 'error',
    });
  });

  it('names requests a guard rejects after the route the framework matched', async () => {
    const r = await send(plain.url, '/users/3/guarded');
    expect(r.status).toBe(403);
    const [rec] = await itemsFor(t.server, 'http-requests', r.requestId!);
    expect(rec).toMatchObject({ path: '/users/:id/guarded', statusCode: 403 });
  });

  it('records HEAD under the GET route and OPTIONS (CORS preflight) as unmatched, with headers', async () => {
    const head = await send(plain.url, '/users/5', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(head.traceId).toMatch(HEX32);
    const [headRec] = await itemsFor(t.server, 'http-requests', head.requestId!);
    expect(headRec).toMatchObject({ method: 'HEAD', path: '/users/:id', statusCode: 200 });

    const options = await send(plain.url, '/users/5', {
      method: 'OPTIONS',
      headers: { origin: 'http://example.test', 'access-control-request-method': 'GET' },
    });
    expect(options.status).toBe(204);
    expect(options.headers['access-control-allow-origin']).toBe('*');
    expect(options.traceId).toMatch(HEX32);
    const [optRec] = await itemsFor(t.server, 'http-requests', options.requestId!);
    expect(optRec).toMatchObject({ method: 'OPTIONS', path: '<unmatched>', statusCode: 204 });
  });

  it.each([
    ['/api/users/9', '/api/users/:id', 200],
    ['/api/v2/items/9', '/api/v2/items/:id', 200],
    ['/api/admin/stats', '/api/admin/stats', 200],
    ['/health', '/health', 200],
    ['/api/users/9/http-500', '/api/users/:id/http-500', 500],
  ])(
    'joins global prefix, URI version, RouterModule path and exclusions: %s → %s',
    async (path, template, status) => {
      const r = await send(prefixed.url, path);
      expect(r.status).toBe(status);
      const [rec] = await itemsFor(t.server, 'http-requests', r.requestId!);
      expect(rec).toMatchObject({ path: template, statusCode: status });
    },
  );

  it("runs the app's own Nest middleware inside the request, never on the process scope", async () => {
    // (Only apps with Sightline in this file: a bare app's middleware would tag the process scope.)
    const r = await send(plain.url, '/users/20/sync-error');
    const [error] = await itemsFor(t.server, 'errors', r.requestId!);
    expect(error.metadata.middleware).toBe('ran');
    expect(error.metadata['middleware.node']).toBe('true');
    expect(getProcessHub().scope.tags).toEqual({});
    expect(getProcessHub().scope.user).toBeUndefined();
  });

  it('covers requests outside the global prefix (a forRoutes middleware would not see them)', async () => {
    const r = await send(prefixed.url, '/users/9');
    expect(r.status).toBe(404);
    expect(r.traceId).toMatch(HEX32);
    const [rec] = await itemsFor(t.server, 'http-requests', r.requestId!);
    expect(rec).toMatchObject({ path: '<unmatched>', statusCode: 404 });
    expect(t.server.invalid).toEqual([]);
  });
});
