import { createServer } from 'node:http';
import { type Listening, httpRequest, listen, useSightline } from '@sightline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { koaRoute } from '../src/route.js';
import { MAJORS, buildApp } from './helpers/app.js';

const h = useSightline();

describe('koaRoute', () => {
  const route = { path: '/users/:id', methods: ['HEAD', 'GET'] };
  const mw = { path: '/api([^/]*)', methods: [] };
  it('prefers the layer that ran last when it is a route', () => {
    expect(koaRoute({ method: 'GET', _matchedRoute: '/users/:id', matched: [mw, route] })).toBe('/users/:id');
    const me = { path: '/users/me', methods: ['HEAD', 'GET'] };
    expect(koaRoute({ method: 'GET', _matchedRoute: '/users/:id', matched: [route, me] })).toBe('/users/:id');
  });
  it('falls back to the last route for the method when middleware ran last', () => {
    expect(koaRoute({ method: 'GET', _matchedRoute: '/api([^/]*)', matched: [mw, route] })).toBe(
      '/users/:id',
    );
    expect(koaRoute({ method: 'POST', _matchedRoute: undefined, matched: [mw, route] })).toBeUndefined();
  });
  it('uses _matchedRoute or routerPath without ctx.matched, and labels regex paths', () => {
    expect(koaRoute({ _matchedRoute: '/a/:b' })).toBe('/a/:b');
    expect(koaRoute({ routerPath: '/c' })).toBe('/c');
    expect(koaRoute({ _matchedRoute: /^\/re\/\d+$/ })).toBe('/^\\/re\\/\\d+$/');
    expect(koaRoute({ _matchedRoute: 42 })).toBeUndefined();
    expect(koaRoute({ _matchedRoute: 'x'.repeat(5000) })?.length).toBe(512);
    expect(koaRoute({})).toBeUndefined();
  });
});

describe.each(MAJORS)('route templates on %s', (_major, KoaApp) => {
  let app: Listening;
  beforeAll(async () => {
    app = await listen(createServer(buildApp(KoaApp).callback()));
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['GET', '/users/7', 200, '/users/:id'],
    ['GET', '/api/users/7', 200, '/api/users/:id'],
    ['GET', '/api/users/7?deny=1', 401, '/api/users/:id'],
    ['GET', '/orgs/acme/members/9', 200, '/orgs/:org/members/:member'],
    ['HEAD', '/api/users/7', 200, '/api/users/:id'],
    ['POST', '/api/users/7', 405, '<unmatched>'],
    ['OPTIONS', '/users/7', 200, '<unmatched>'],
    ['GET', '/no/such/thing', 404, '<unmatched>'],
  ])('%s %s → %i %s', async (method, path, status, template) => {
    const res = await httpRequest(`${app.url}${path}`, { method });
    expect(res.status).toBe(status);
    const spans = await h.flushed('spans');
    expect(h.server.items('http-requests')).toMatchObject([{ method, path: template, statusCode: status }]);
    expect(spans).toMatchObject([{ operation: `${method} ${template}` }]);
  });
});
