import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import express4 from 'express4';
import { afterEach, describe, expect, it } from 'vitest';
import { recordedRoute, routeTemplate, templateSegment, trackRoute } from '../src/route-template.js';

type ExpressFactory = typeof express;
const majors: [string, ExpressFactory][] = [
  ['express5', express],
  ['express4', express4 as unknown as ExpressFactory],
];

describe('routeTemplate', () => {
  it('joins prefixes and paths without doubling or dropping slashes', () => {
    expect(routeTemplate('', '/users/:id')).toBe('/users/:id');
    expect(routeTemplate('/api', '/users/:id')).toBe('/api/users/:id');
    expect(routeTemplate('/api', '/')).toBe('/api');
    expect(routeTemplate('', '/')).toBe('/');
    expect(routeTemplate('/api', ['/a', '/b'])).toBe('/api/a,/api/b');
    expect(routeTemplate('', /^\/files\/.*$/)).toBe('/^\\/files\\/.*$/');
    expect(routeTemplate('', undefined)).toBeUndefined();
    expect(routeTemplate('', 'x'.repeat(2000))?.length).toBe(512);
  });

  it('turns parameter values of a mount prefix back into names', () => {
    expect(templateSegment('/orgs/acme', { org: 'acme' })).toBe('/orgs/:org');
    expect(templateSegment('/orgs/a%20b', { org: 'a b' })).toBe('/orgs/:org');
    expect(templateSegment('/users/users', { name: 'users' })).toBe('/users/:name');
    expect(templateSegment('/a/1/b/2', { x: '1', y: '2' })).toBe('/a/:x/b/:y');
    expect(templateSegment('/static', {})).toBeUndefined();
    expect(templateSegment('/static', { id: '9' })).toBeUndefined();
    expect(templateSegment('/x/%E0%A4%A', { id: '%E0%A4%A' })).toBe('/x/:id');
  });
});

describe.each(majors)('route tracking on %s', (_name, createExpress) => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    server = undefined;
  });

  async function routeOf(
    path: string,
    method = 'GET',
  ): Promise<{ status: number; route: string | undefined; seen: unknown }> {
    const app = createExpress();
    let last: string | undefined;
    let seen: unknown;
    app.use((req, _res, next) => {
      trackRoute(req, (_r, t) => {
        last = t;
      });
      next();
    });
    const users = createExpress.Router();
    users.get('/:id', (req, res) => {
      seen = { route: (req.route as { path: string }).path, baseUrl: req.baseUrl, params: { ...req.params } };
      res.send('user');
    });
    users.get('/:id/fail', () => {
      throw new Error('boom');
    });
    const api = createExpress.Router();
    api.use('/users', users);
    const orgs = createExpress.Router({ mergeParams: true });
    orgs.get('/members/:member', (req, res) => {
      seen = { params: { ...req.params }, baseUrl: req.baseUrl };
      res.send('member');
    });
    orgs.use('/teams', users);
    app.use('/api', api);
    app.use('/orgs/:org', orgs);
    const sub = createExpress();
    sub.get('/items/:item', (_req, res) => {
      res.send('item');
    });
    app.use('/v1', sub);
    app.route('/things/:thing').get((_req, res) => {
      res.send('thing');
    });
    app.get(['/a/:x', '/b/:x'], (_req, res) => {
      res.send('multi');
    });
    app.get(/^\/re\/\d+$/, (_req, res) => {
      res.send('re');
    });
    app.use((err: Error, req: express.Request, res: express.Response, _next: express.NextFunction) => {
      seen = { baseUrlAtHandler: req.baseUrl };
      res.status(500).send(err.message);
    });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    await res.text();
    return { status: res.status, route: last ?? recordedRoute({}), seen };
  }

  it.each([
    ['/api/users/7', '/api/users/:id'],
    ['/api/users/7/fail', '/api/users/:id/fail'],
    ['/orgs/acme/members/9', '/orgs/:org/members/:member'],
    ['/orgs/acme/teams/5', '/orgs/:org/teams/:id'],
    ['/orgs/acme/teams/5/fail', '/orgs/:org/teams/:id/fail'],
    ['/things/1', '/things/:thing'],
    ['/b/2', '/a/:x,/b/:x'],
    ['/re/42', '/^\\/re\\/\\d+$/'],
    ['/v1/items/3', '/v1/items/:item'],
    ['/nothing/here', undefined],
  ])('%s → %s', async (path, expected) => {
    const { route } = await routeOf(path);
    expect(route).toBe(expected);
  });

  it('leaves what handlers see unchanged', async () => {
    const r1 = await routeOf('/api/users/7');
    expect(r1.seen).toEqual({ route: '/:id', baseUrl: '/api/users', params: { id: '7' } });
    const r2 = await routeOf('/orgs/acme/members/9');
    expect(r2.seen).toEqual({ params: { org: 'acme', member: '9' }, baseUrl: '/orgs/acme' });
    // The reason for tracking at match time: by the app-level error handler the prefix is gone.
    const r3 = await routeOf('/api/users/7/fail');
    expect(r3.status).toBe(500);
    expect(r3.seen).toEqual({ baseUrlAtHandler: '' });
  });
});
