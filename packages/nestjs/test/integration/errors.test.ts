import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../helpers/app.js';
import { answer, send } from '../helpers/http.js';
import { PLATFORMS } from '../helpers/nest.js';
import { type Telemetry, itemsFor, startTelemetry, traceparent } from '../helpers/telemetry.js';

/** Behaviour 4: errors reported once with their request's context; answers unchanged. */
describe.each(PLATFORMS)('errors (%s)', (platform) => {
  let t: Telemetry;
  let app: RunningApp;
  let bare: RunningApp;

  beforeAll(async () => {
    t = await startTelemetry();
    app = await startApp({ platform });
    bare = await startApp({ platform, sightline: false });
  });

  afterAll(async () => {
    await app?.close();
    await bare?.close();
    await t?.stop();
  });

  /** Sends one request in a fresh trace; resolves with its reply, record and error events. */
  async function run(path: string) {
    const tp = traceparent();
    const reply = await send(app.url, path, { headers: { traceparent: tp.header } });
    expect(reply.traceId).toBe(tp.traceId);
    const [record] = await itemsFor(t.server, 'http-requests', reply.requestId!);
    await t.client.flush(2000);
    const errors = t.server.items('errors').filter((e) => e.requestId === reply.requestId);
    return { tp, reply, record, errors };
  }

  it.each([
    ['/users/21/sync-error', 'Error', 'sync failure 21', '/users/:id/sync-error', 500],
    ['/users/22/async-error', 'TypeError', 'async failure 22', '/users/:id/async-error', 500],
    ['/users/23/http-500', 'InternalServerErrorException', 'http 500 23', '/users/:id/http-500', 500],
    ['/users/24/http-503', 'ServiceUnavailableException', 'maintenance', '/users/:id/http-503', 503],
  ])(
    'reports %s once, with route, user, trace and request id',
    async (path, exceptionClass, message, route, status) => {
      const { tp, reply, record, errors } = await run(path);
      expect(reply.status).toBe(status);
      expect(record).toMatchObject({ path: route, statusCode: status, userId: path.split('/')[2] });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toMatchObject({
        exceptionClass,
        message,
        level: 'error',
        traceId: tp.traceId,
        spanId: record.spanId,
        requestId: reply.requestId,
        user: { id: path.split('/')[2] },
        requestContext: { method: 'GET', path, route },
        // The app's own middleware ran inside the request's context too.
        metadata: expect.objectContaining({ mechanism: 'nestjs', handled: true, middleware: 'ran' }),
      });
      expect(errors[0].stackTrace.length).toBeGreaterThan(0);
      expect(t.server.invalid).toEqual([]);
    },
  );

  it.each([
    ['/users/25/not-found', 404],
    ['/users/26/bad-request', 400],
    ['/users/27/guarded', 403],
    ['/no-such-route', 404],
  ])('does not report 4xx answers (%s → %i)', async (path, status) => {
    const { reply, record, errors } = await run(path);
    expect(reply.status).toBe(status);
    expect(record.statusCode).toBe(status);
    expect(errors).toEqual([]);
  });

  it('reports a thrown non-Error once', async () => {
    const { reply, errors } = await run('/users/28/thrown-string');
    expect(reply.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toContain('plain string failure');
    expect(errors[0].user).toEqual({ id: '28' });
  });

  it('reports an error the app already captured only once', async () => {
    const { reply, errors } = await run('/users/29/captured-and-thrown');
    expect(reply.status).toBe(500);
    expect(errors).toHaveLength(1);
    expect(errors[0].message).toBe('reported by the app 29');
  });

  it('reports errors thrown by guards, with the matched route', async () => {
    const { reply, record, errors } = await run('/users/30/guard-crash');
    expect(reply.status).toBe(500);
    expect(record.path).toBe('/users/:id/guard-crash');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'guard failure',
      requestContext: { route: '/users/:id/guard-crash' },
    });
  });

  it('reports errors thrown by Nest middleware, with the user they set', async () => {
    const { tp, reply, record, errors } = await run('/users/31/mw-error');
    expect(reply.status).toBe(500);
    // Nest middleware runs before its router: Express registered this route-specific middleware
    // as a route (its template is known); Fastify hands middleware node's request only.
    const route = platform === 'express' ? '/users/:id/mw-error' : '<unmatched>';
    expect(record).toMatchObject({ path: route, statusCode: 500, userId: 'mw-user' });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'middleware failure',
      traceId: tp.traceId,
      spanId: record.spanId,
      requestId: reply.requestId,
      user: { id: 'mw-user' },
      requestContext: { method: 'GET', path: '/users/31/mw-error' },
    });
    if (platform === 'express') expect(errors[0].requestContext.route).toBe(route);
  });

  it('re-enters the request context for handlers whose context a plugin upstream lost', async () => {
    const { tp, reply, record, errors } = await run('/users/32/lost-context');
    expect(reply.status).toBe(500);
    expect(record).toMatchObject({ path: '/users/:id/lost-context', userId: '32', traceId: tp.traceId });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      message: 'lost context 32',
      traceId: tp.traceId,
      requestId: reply.requestId,
      user: { id: '32' },
      requestContext: { route: '/users/:id/lost-context' },
    });
    const [log] = await itemsFor(t.server, 'logs', reply.requestId!);
    expect(log).toMatchObject({ message: 'lost context 32', userId: '32', traceId: tp.traceId });
  });

  it.each([
    ['GET', '/users/1', undefined],
    ['GET', '/users/1/sync-error', undefined],
    ['GET', '/users/1/async-error', undefined],
    ['GET', '/users/1/http-500', undefined],
    ['GET', '/users/1/http-503', undefined],
    ['GET', '/users/1/not-found', undefined],
    ['GET', '/users/1/bad-request', undefined],
    ['GET', '/users/1/thrown-string', undefined],
    ['GET', '/users/1/guarded', undefined],
    ['GET', '/users/1/guard-crash', undefined],
    ['GET', '/users/1/mw-error', undefined],
    ['GET', '/users/1/teapot', undefined],
    ['GET', '/users/1/scoped', undefined],
    ['GET', '/no-such-route', undefined],
    ['POST', '/users', '{}'],
    ['POST', '/users', '{"name":'],
  ])('answers %s %s exactly as the same app without Sightline', async (method, path, body) => {
    const headers = body === undefined ? undefined : { 'content-type': 'application/json' };
    const [withSdk, without] = await Promise.all([
      send(app.url, path, { method, body, headers }),
      send(bare.url, path, { method, body, headers }),
    ]);
    expect(answer(withSdk)).toEqual(answer(without));
    expect(without.traceId).toBeUndefined();
    expect(withSdk.traceId).toBeDefined();
  });
});
