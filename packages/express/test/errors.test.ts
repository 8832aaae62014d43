import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { withScope } from '@sightline/core';
import { type Listening, listen, spanId, traceId, useSightline } from '@sightline/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import express from 'express';
import { sightlineErrorHandler } from '../src/index.js';
import { MAJORS, buildApp } from './helpers/app.js';

beforeAll(() => {
  // Express's final handler prints every error it answers outside NODE_ENV=test.
  vi.spyOn(console, 'error').mockImplementation(() => {});
});
afterAll(() => {
  vi.restoreAllMocks();
});
// One session per request, so each request's session status can be checked.
const h = useSightline({ autoSessionTracking: true, sessionMode: 'request' });

/** A server for an app without Sightline whose setUser/addBreadcrumb calls stay in a throwaway scope. */
function isolated(handler: (req: IncomingMessage, res: ServerResponse) => void) {
  return createServer((req, res) => withScope(() => handler(req, res)));
}

async function body(res: Response) {
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

describe.each(MAJORS)('errors on %s', (_major, createExpress) => {
  let app: Listening;
  let bare: Listening;
  let appDefault: Listening;
  let bareDefault: Listening;
  beforeAll(async () => {
    app = await listen(createServer(buildApp(createExpress)));
    bare = await listen(isolated(buildApp(createExpress, { sightline: false })));
    appDefault = await listen(createServer(buildApp(createExpress, { errors: 'default' })));
    bareDefault = await listen(isolated(buildApp(createExpress, { sightline: false, errors: 'default' })));
  });
  afterAll(async () => {
    await Promise.all([app.close(), bare.close(), appDefault.close(), bareDefault.close()]);
  });

  it('captures a sync throw in a nested router once, with request context, route, user and trace', async () => {
    const t = traceId();
    const p = spanId();
    const res = await fetch(`${app.url}/api/users/7/fail?x=1`, {
      headers: { traceparent: `00-${t}-${p}-01`, 'user-agent': 'errors-test' },
    });
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
      metadata: { mechanism: 'express', handled: true },
    });
    expect(e.breadcrumbs.map((b: { message: string }) => b.message)).toEqual(['before fail 7']);
    expect(e.stackTrace.join('\n')).toContain('app.ts');
    expect(spans[0]).toMatchObject({ operation: 'GET /api/users/:id/fail', status: 'error' });
    expect(h.server.items('http-requests')).toMatchObject([{ path: '/api/users/:id/fail', statusCode: 500 }]);
    const ends = h.server.items('sessions/end');
    expect(ends).toEqual([expect.objectContaining({ sessionId: e.sessionId, status: 'errored' })]);
    expect(h.server.invalid).toEqual([]);
  });

  it("leaves Express's own error response unchanged (final handler)", async () => {
    for (const path of [
      '/api/users/1/fail',
      '/mw-fail',
      '/client-error/404',
      '/client-error/418?as=statusCode',
      '/nope',
    ]) {
      const withSightline = await fetch(`${appDefault.url}${path}`);
      expect(await body(withSightline), path).toEqual(await body(await fetch(`${bareDefault.url}${path}`)));
    }
  });

  it('captures next(err) called from a timer, in the request context', async () => {
    const res = await fetch(`${app.url}/api/users/11/next-error`);
    expect(res.status).toBe(500);
    const errors = await h.flushed('errors');
    expect(errors).toMatchObject([
      {
        message: 'boom from a timer',
        user: { id: '11' },
        requestId: res.headers.get('x-allstak-request-id'),
        requestContext: { route: '/api/users/:id/next-error' },
      },
    ]);
  });

  it('captures an error thrown by middleware before any route: no route on the event, <unmatched> record', async () => {
    const res = await fetch(`${app.url}/mw-fail/x`);
    expect(res.status).toBe(500);
    const errors = await h.flushed('errors');
    expect(errors).toMatchObject([{ message: 'middleware boom', requestContext: { path: '/mw-fail/x' } }]);
    expect(errors[0].requestContext.route).toBeUndefined();
    expect(h.server.items('http-requests')).toMatchObject([{ path: '<unmatched>', statusCode: 500 }]);
  });

  it('does not capture client errors (4xx via status or statusCode), nor mark the span or session', async () => {
    for (const path of ['/client-error/404', '/client-error/400', '/client-error/418?as=statusCode']) {
      const res = await fetch(`${app.url}${path}`);
      expect(res.status).toBeLessThan(500);
      await res.text();
    }
    await h.flushed('errors');
    expect(h.server.items('errors')).toEqual([]);
    expect(h.server.items('spans').map((s) => s.status)).toEqual(['ok', 'ok', 'ok']);
    expect(
      h.server
        .items('http-requests')
        .map((r) => r.statusCode)
        .sort(),
    ).toEqual([400, 404, 418]);
    expect(h.server.items('sessions/end').map((s) => s.status)).toEqual(['ok', 'ok', 'ok']);
  });

  it('captures an error the app already captured only once', async () => {
    const res = await fetch(`${app.url}/api/users/2/captured-twice`);
    expect(res.status).toBe(500);
    const errors = await h.flushed('errors');
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ message: 'captured by the app too' });
  });

  it('respects shouldHandleError and keeps routing when it throws', async () => {
    const local = createExpress();
    local.get('/a', () => {
      throw new Error('skipped');
    });
    local.get('/b', () => {
      throw new Error('kept');
    });
    local.use(sightlineErrorHandler({ shouldHandleError: (err) => (err as Error).message === 'kept' }));
    local.use(
      sightlineErrorHandler({
        shouldHandleError: () => {
          throw new Error('broken predicate');
        },
      }),
    );
    local.use(
      (err: Error, _req: unknown, res: { status(n: number): { send(s: string): void } }, _next: unknown) => {
        res.status(500).send(err.message);
      },
    );
    const s = await listen(createServer(local));
    try {
      expect(await (await fetch(`${s.url}/a`)).text()).toBe('skipped');
      expect(await (await fetch(`${s.url}/b`)).text()).toBe('kept');
    } finally {
      await s.close();
    }
    const errors = await h.flushed('errors');
    expect(errors.map((e) => e.message)).toEqual(['kept']);
  });
});

// Express 4 does not forward a rejected promise to error middleware (see the README): only 5 is tested.
describe('async errors on express5', () => {
  let app: Listening;
  let bare: Listening;
  beforeAll(async () => {
    app = await listen(createServer(buildApp(express)));
    bare = await listen(isolated(buildApp(express, { sightline: false })));
  });
  afterAll(async () => {
    await Promise.all([app.close(), bare.close()]);
  });

  it('captures a rejected async handler once, with its route and user', async () => {
    const res = await fetch(`${app.url}/api/users/12/async-fail`);
    expect(await body(res)).toEqual(await body(await fetch(`${bare.url}/api/users/12/async-fail`)));
    const errors = await h.flushed('errors');
    expect(errors).toMatchObject([
      { message: 'async boom', user: { id: '12' }, requestContext: { route: '/api/users/:id/async-fail' } },
    ]);
    expect(h.server.items('spans')).toMatchObject([{ status: 'error' }]);
  });
});

describe('options', () => {
  it('rejects a shouldHandleError that is not a function', () => {
    expect(() => sightlineErrorHandler({ shouldHandleError: 1 as never })).toThrow(
      'Invalid `shouldHandleError`: must be a function',
    );
  });
});
