import { createServer } from 'node:http';
import { captureException, withScope } from '@sightline/core';
import {
  collectOutput,
  HEX32,
  type Listening,
  listen,
  spanId,
  traceId,
  useSightline,
} from '@sightline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sightlineKoa } from '../src/index.js';
import { buildApp, MAJORS } from './helpers/app.js';

// One session per request, so each request's session status can be checked.
const h = useSightline({ autoSessionTracking: true, sessionMode: 'request' });

async function body(res: Response) {
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe.each(MAJORS)('errors on %s', (_major, KoaApp) => {
  let app: Listening;
  let bare: Listening;
  beforeAll(async () => {
    app = await listen(createServer(buildApp(KoaApp).callback()));
    // Without Sightline the routes' setUser/addBreadcrumb calls must stay in a throwaway scope.
    const bareHandler = buildApp(KoaApp, { sightline: false }).callback();
    bare = await listen(createServer((req, res) => withScope(() => bareHandler(req, res))));
  });
  afterAll(async () => {
    await Promise.all([app.close(), bare.close()]);
  });

  it('captures a throw in a nested, prefixed router once, with request context, route, user and trace', async () => {
    const t = traceId();
    const p = spanId();
    const res = await fetch(`${app.url}/api/users/7/fail?x=1`, {
      headers: { traceparent: `00-${t}-${p}-01`, 'user-agent': 'errors-test' },
    });
    expect(res.headers.get('x-allstak-trace-id')).toBe(t);
    expect(await body(res)).toEqual(await body(await fetch(`${bare.url}/api/users/7/fail?x=1`)));
    const errors = await h.flushed('errors');
    const spans = h.server.items('spans');
    expect(errors).toHaveLength(1);
    expect(spans).toHaveLength(1);
    const e = errors[0];
    expect(e).toMatchObject({
      exceptionClass: 'Error',
      message: 'boom 7',
      level: 'error',
      traceId: t,
      spanId: spans[0].spanId,
      parentSpanId: p,
      requestId: res.headers.get('x-allstak-request-id'),
      user: { id: '7' },
      requestContext: {
        method: 'GET',
        path: '/api/users/7/fail',
        host: `127.0.0.1:${app.port}`,
        route: '/api/users/:id/fail',
        userAgent: 'errors-test',
      },
      metadata: { mechanism: 'koa', handled: true },
    });
    expect(e.breadcrumbs.map((b: { message: string }) => b.message)).toEqual(['before fail 7']);
    expect(spans[0]).toMatchObject({ operation: 'GET /api/users/:id/fail', status: 'error' });
    expect(h.server.items('http-requests')).toMatchObject([{ path: '/api/users/:id/fail', statusCode: 500 }]);
    expect(h.server.items('sessions/end')).toEqual([
      expect.objectContaining({ sessionId: e.sessionId, status: 'errored' }),
    ]);
    expect(h.server.invalid).toEqual([]);
  });

  it("leaves Koa's own error responses unchanged", async () => {
    for (const path of [
      '/api/users/1/fail',
      '/api/users/1/async-fail',
      '/api/users/1?mwfail=1',
      '/api/users/1?deny=1',
      '/mw-fail',
      '/client-error/404',
      '/client-error/418?as=statusCode',
      '/client-error/401?auth=1',
      '/server-error-with-headers',
      '/throw-primitive',
      '/nope',
    ]) {
      const withSightline = await fetch(`${app.url}${path}`);
      const without = await fetch(`${bare.url}${path}`);
      expect(await body(withSightline), path).toEqual(await body(without));
      for (const name of ['www-authenticate', 'retry-after']) {
        expect(withSightline.headers.get(name), `${path} ${name}`).toBe(without.headers.get(name));
      }
    }
  });

  it("keeps the trace headers on error responses through Koa's header reset, and the app's own", async () => {
    for (const path of ['/api/users/1/fail', '/client-error/401?auth=1', '/server-error-with-headers']) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.headers.get('x-allstak-trace-id'), path).toMatch(HEX32);
      expect(res.headers.get('x-allstak-request-id'), path).toBeTruthy();
    }
    const res = await fetch(`${app.url}/client-error/401?auth=1`);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('captures an async throw and an error thrown by router-level middleware, with the route', async () => {
    await fetch(`${app.url}/api/users/12/async-fail`);
    await fetch(`${app.url}/api/users/13?mwfail=1`);
    // Events finish after an async source-context read, so their arrival order is not fixed.
    const errors = (await h.flushed('errors')).sort((a, b) => a.message.localeCompare(b.message));
    expect(errors).toMatchObject([
      { message: 'async boom', user: { id: '12' }, requestContext: { route: '/api/users/:id/async-fail' } },
      { message: 'router middleware boom', requestContext: { route: '/api/users/:id' } },
    ]);
    expect(h.server.items('http-requests').map((r) => [r.path, r.statusCode])).toEqual([
      ['/api/users/:id/async-fail', 500],
      ['/api/users/:id', 500],
    ]);
  });

  it('captures an error thrown by app middleware before the router: no route on the event, <unmatched> record', async () => {
    const res = await fetch(`${app.url}/mw-fail/x`);
    expect(res.status).toBe(500);
    const errors = await h.flushed('errors');
    expect(errors).toMatchObject([{ message: 'middleware boom', requestContext: { path: '/mw-fail/x' } }]);
    expect(errors[0].requestContext.route).toBeUndefined();
    expect(h.server.items('http-requests')).toMatchObject([{ path: '<unmatched>', statusCode: 500 }]);
  });

  it('captures a thrown primitive and a 503 with headers, each once', async () => {
    await fetch(`${app.url}/throw-primitive`);
    await fetch(`${app.url}/server-error-with-headers`);
    const errors = (await h.flushed('errors')).sort((a, b) => a.message.localeCompare(b.message));
    expect(errors).toHaveLength(2);
    expect(errors[0].message).toContain('a plain string');
    expect(errors[1]).toMatchObject({
      message: 'unavailable',
      requestContext: { route: '/server-error-with-headers' },
    });
  });

  it('does not capture client errors (ctx.throw 4xx, statusCode, router middleware 401)', async () => {
    for (const path of [
      '/client-error/404',
      '/client-error/400',
      '/client-error/418?as=statusCode',
      '/api/users/1?deny=1',
    ]) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status).toBeLessThan(500);
      await res.text();
    }
    await h.flushed('errors');
    expect(h.server.items('errors')).toEqual([]);
    expect(h.server.items('spans').map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect(
      h.server
        .items('http-requests')
        .map((r) => r.statusCode)
        .sort(),
    ).toEqual([400, 401, 404, 418]);
    expect(h.server.items('sessions/end').map((s) => s.status)).toEqual(['ok', 'ok', 'ok', 'ok']);
  });

  it('captures an error the app already captured only once', async () => {
    const res = await fetch(`${app.url}/api/users/2/captured-twice`);
    expect(res.status).toBe(500);
    const errors = await h.flushed('errors');
    expect(errors.map((e) => e.message)).toEqual(['captured by the app too']);
  });

  it("keeps Koa's default app.on('error') logging, and an app listener that captures does not duplicate", async () => {
    const logging = buildApp(KoaApp);
    logging.silent = false;
    const s1 = await listen(createServer(logging.callback()));
    const out = collectOutput();
    try {
      expect((await fetch(`${s1.url}/api/users/5/fail`)).status).toBe(500);
      await new Promise((r) => setImmediate(r));
    } finally {
      out.restore();
      await s1.close();
    }
    expect(logging.listenerCount('error')).toBe(1);
    expect(out.text()).toContain('boom 5');

    const listening = buildApp(KoaApp);
    const seen: unknown[] = [];
    listening.on('error', (err) => {
      seen.push(err);
      captureException(err);
    });
    const s2 = await listen(createServer(listening.callback()));
    try {
      expect((await fetch(`${s2.url}/api/users/6/fail`)).status).toBe(500);
    } finally {
      await s2.close();
    }
    expect(seen).toHaveLength(1);
    const errors = await h.flushed('errors');
    expect(errors.map((e) => e.message)).toEqual(['boom 5', 'boom 6']);
    // The trace headers rode on err.headers only while Koa answered.
    expect((seen[0] as { headers?: unknown }).headers).toBeUndefined();
  });

  it('respects shouldHandleError, and a throwing predicate reports nothing', async () => {
    for (const [predicate, expected] of [
      [(err: unknown) => (err as Error).message === 'kept', ['kept']],
      [
        () => {
          throw new Error('broken predicate');
        },
        [],
      ],
    ] as const) {
      const local = new KoaApp();
      local.silent = true;
      local.use(sightlineKoa({ shouldHandleError: predicate }));
      local.use((ctx) => {
        throw new Error(ctx.path === '/a' ? 'skipped' : 'kept');
      });
      const s = await listen(createServer(local.callback()));
      try {
        expect((await fetch(`${s.url}/a`)).status).toBe(500);
        expect((await fetch(`${s.url}/b`)).status).toBe(500);
      } finally {
        await s.close();
      }
      const errors = await h.flushed('errors');
      expect(errors.map((e) => e.message)).toEqual(expected);
      h.server.clear();
    }
  });
});

describe('options', () => {
  it('rejects a shouldHandleError that is not a function', () => {
    expect(() => sightlineKoa({ shouldHandleError: 'no' as never })).toThrow(
      'Invalid `shouldHandleError`: must be a function',
    );
  });
});
