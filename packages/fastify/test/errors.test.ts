import { httpRequest, spanId, traceId, useSightline } from '@sightline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAJORS, type Running, startApp } from './helpers/app.js';

// Per test: cleared before; flushed after, and no invalid body may have arrived.
const h = useSightline({}, { expectValid: true });

/** Requests whose answers must be byte-identical with and without the plugin. */
const ERROR_REQUESTS: [string, { method?: string; headers?: Record<string, string>; body?: string }][] = [
  ['/users/1/fail', {}],
  ['/users/1/async-fail', {}],
  ['/users/1/send-error', {}],
  ['/users/1/timer-error', {}],
  ['/users/1/captured-twice', {}],
  ['/client-error/400', {}],
  ['/client-error/403', {}],
  ['/client-error/404', {}],
  ['/unavailable', {}],
  ['/code-500-then-send', {}],
  ['/no/such/route', {}],
  ['/validated', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }],
  ['/validated', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' }],
  ['/custom/teapot', {}],
  ['/custom/custom-500', {}],
  ['/custom/handler-throws', {}],
  ['/stream-error', {}],
];

describe.each(MAJORS)('errors on %s', (_major, factory) => {
  let app: Running;
  beforeAll(async () => {
    app = await startApp(factory);
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['a sync throw', '/users/8/fail', 'boom 8', 'before fail 8'],
    ['an async rejection', '/users/8/async-fail', 'async boom 8', 'before async fail 8'],
    ['reply.send(err)', '/users/8/send-error', 'sent 8', undefined],
    ['reply.send(err) from a timer', '/users/8/timer-error', 'timer 8', undefined],
  ])('captures %s once, with request context, route, user and trace', async (_name, path, message, crumb) => {
    const t = traceId();
    const p = spanId();
    const res = await fetch(`${app.url}${path}?q=1`, {
      headers: { traceparent: `00-${t}-${p}-01`, 'user-agent': 'errors-test' },
    });
    expect(res.status).toBe(500);
    const requestId = res.headers.get('x-allstak-request-id');
    const spans = await h.flushed('spans');
    const errors = h.server.items('errors');
    expect(errors).toHaveLength(1);
    const route = path.replace('/8/', '/:id/');
    expect(errors[0]).toMatchObject({
      exceptionClass: 'Error',
      message,
      level: 'error',
      traceId: t,
      spanId: spans[0].spanId,
      parentSpanId: p,
      requestId,
      user: { id: '8' },
      requestContext: { method: 'GET', path, host: `127.0.0.1:${app.port}`, route, userAgent: 'errors-test' },
      metadata: { mechanism: 'fastify', handled: true },
    });
    expect(errors[0].stackTrace.length).toBeGreaterThan(0);
    if (crumb) expect(errors[0].breadcrumbs.map((b: { message: string }) => b.message)).toContain(crumb);
    // A 5xx marks the server span as an error.
    expect(spans).toMatchObject([
      { operation: `GET ${route}`, status: 'error', tags: { 'http.status_code': '500' } },
    ]);
    expect(h.server.items('http-requests')).toMatchObject([{ path: route, statusCode: 500, requestId }]);
  });

  it('captures an error the app already captured only once', async () => {
    const res = await fetch(`${app.url}/users/2/captured-twice`);
    expect(res.status).toBe(500);
    const errors = await h.flushed('errors');
    expect(errors).toHaveLength(1);
    // The app's own capture came first: it has no fastify mechanism, and the request's tag.
    expect(errors[0]).toMatchObject({ message: 'captured by the app too', metadata: { id: '2' } });
    expect(errors[0].metadata.mechanism).toBeUndefined();
  });

  it('captures an error carrying a 5xx statusCode (503)', async () => {
    const res = await fetch(`${app.url}/unavailable`);
    expect(res.status).toBe(503);
    const errors = await h.flushed('errors');
    expect(errors).toMatchObject([{ message: 'unavailable', requestContext: { route: '/unavailable' } }]);
  });

  it.each([
    ['GET', '/client-error/400', 400],
    ['GET', '/client-error/403', 403],
    ['GET', '/client-error/404', 404],
    ['GET', '/no/such/route', 404],
    ['POST', '/validated', 400],
    ['GET', '/custom/teapot', 418],
  ])('does not capture %s %s (→ %i)', async (method, path, status) => {
    const res = await httpRequest(`${app.url}${path}`, {
      method,
      headers: method === 'POST' ? { 'content-type': 'application/json' } : {},
      body: method === 'POST' ? '{}' : undefined,
    });
    expect(res.status).toBe(status);
    const spans = await h.flushed('spans');
    expect(h.server.items('errors')).toEqual([]);
    expect(spans).toMatchObject([{ status: 'ok', tags: { 'http.status_code': String(status) } }]);
  });

  it('does not invent an event for a 5xx the app answered without an error', async () => {
    const res = await fetch(`${app.url}/code-500-then-send`);
    expect(res.status).toBe(500);
    const spans = await h.flushed('spans');
    expect(h.server.items('errors')).toEqual([]);
    expect(spans).toMatchObject([{ operation: 'GET /code-500-then-send', status: 'error' }]);
  });

  it('decides by the final status: a custom error handler answering 500 is captured', async () => {
    const res = await fetch(`${app.url}/custom/custom-500`);
    expect(res.status).toBe(500);
    expect(await res.json()).toEqual({ custom: 'custom' });
    const errors = await h.flushed('errors');
    expect(errors).toMatchObject([{ message: 'custom', requestContext: { route: '/custom/custom-500' } }]);
  });

  it('reports the original error once when the custom error handler itself throws', async () => {
    const res = await fetch(`${app.url}/custom/handler-throws`);
    expect(res.status).toBe(500);
    const errors = await h.flushed('errors');
    // Fastify hands the handler's own error straight to the parent handler without onError:
    // the error that caused the 500 is reported, the handler's failure is not (README).
    expect(errors.map((e) => e.message)).toEqual(['explode']);
  });

  describe('compared with the same app without the plugin', () => {
    let bare: Running;
    beforeAll(async () => {
      bare = await startApp(factory, { sightline: false });
    });
    afterAll(async () => {
      await bare.close();
    });

    it.each(ERROR_REQUESTS)('leaves Fastify’s answer to %s unchanged', async (path, options) => {
      const without = await httpRequest(`${bare.url}${path}`, options);
      const withSightline = await httpRequest(`${app.url}${path}`, options);
      expect(withSightline.status).toBe(without.status);
      expect(withSightline.body).toBe(without.body);
      expect(withSightline.headers['content-type']).toBe(without.headers['content-type']);
      expect(withSightline.headers['content-length']).toBe(without.headers['content-length']);
      expect(withSightline.headers['x-allstak-trace-id']).toBeDefined();
      expect(without.headers['x-allstak-trace-id']).toBeUndefined();
    });
  });
});

describe.each(MAJORS)('the shouldHandleError option on %s', (_major, factory) => {
  it('can widen what is captured, and gets the final status code', async () => {
    const seen: [string, number][] = [];
    const app = await startApp(factory, {
      pluginOptions: {
        shouldHandleError: (error, statusCode) => {
          seen.push([(error as Error).message, statusCode]);
          return statusCode >= 400;
        },
      },
    });
    try {
      expect((await fetch(`${app.url}/client-error/409`)).status).toBe(409);
      expect((await fetch(`${app.url}/custom/teapot`)).status).toBe(418);
      const errors = await h.flushed('errors');
      expect(errors.map((e) => e.message)).toEqual(['client', 'teapot']);
      expect(seen).toEqual([
        ['client', 409],
        ['teapot', 418],
      ]);
    } finally {
      await app.close();
    }
  });

  it('a throwing shouldHandleError captures nothing and changes nothing', async () => {
    const app = await startApp(factory, {
      pluginOptions: {
        shouldHandleError: () => {
          throw new Error('bad predicate');
        },
      },
    });
    try {
      const res = await fetch(`${app.url}/users/1/fail`);
      expect(res.status).toBe(500);
      expect(await res.json()).toMatchObject({ message: 'boom 1', statusCode: 500 });
      expect(await h.flushed('errors')).toEqual([]);
      expect(h.server.items('http-requests')).toMatchObject([{ statusCode: 500 }]);
    } finally {
      await app.close();
    }
  });

  it('rejects a shouldHandleError that is not a function at registration', async () => {
    const app = factory({ logger: false });
    const { sightlineFastify } = await import('../src/index.js');
    const registered = app.register(sightlineFastify, {
      shouldHandleError: 'yes' as unknown as () => boolean,
    });
    await expect(registered).rejects.toBeInstanceOf(TypeError);
    await expect(registered).rejects.toMatchObject({
      message: 'Invalid `shouldHandleError`: must be a function',
      code: 'SIGHTLINE_ERR_INVALID_OPTION',
    });
    await app.close().catch(() => undefined);
  });
});
