import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
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
    // Twice: an app's first request takes the per-request accessors (Express set `baseUrl`
    // before the middleware ran), later ones the accessors on the app's request prototype.
    const results = [];
    for (let i = 0; i < 2; i++) {
      last = undefined;
      seen = undefined;
      const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
      await res.text();
      results.push({ status: res.status, route: last ?? recordedRoute({}), seen });
    }
    expect(results[1]).toEqual(results[0]);
    return results[0]!;
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

describe('route tracking through the app request prototype (Express 5)', () => {
  it('adds no baseUrl/route property to requests after the first, and keeps them apart under concurrency', async () => {
    const app = express();
    const routes = new Map<string, string>();
    app.use((req, _res, next) => {
      trackRoute(req, (r, t) => routes.set((r as express.Request).get('x-n')!, t));
      next();
    });
    const own: boolean[] = [];
    const users = express.Router();
    users.get('/:id', async (req, res) => {
      await new Promise((r) => setTimeout(r, Number(req.params.id) % 7));
      own.push(Object.hasOwn(req, 'route') || Object.hasOwn(req, 'baseUrl'));
      res.json({ route: (req.route as { path: string }).path, baseUrl: req.baseUrl });
    });
    app.use('/orgs/:org/users', users);
    app.get('/things/:thing', (req, res) => {
      own.push(Object.hasOwn(req, 'route') || Object.hasOwn(req, 'baseUrl'));
      res.json({ route: (req.route as { path: string }).path, baseUrl: req.baseUrl });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const { port } = server.address() as AddressInfo;
      const get = (n: number, path: string) =>
        fetch(`http://127.0.0.1:${port}${path}`, { headers: { 'x-n': String(n) } }).then((r) => r.json());
      await get(0, '/things/0');
      const paths = Array.from({ length: 40 }, (_, i) => (i % 2 ? `/orgs/o${i}/users/${i}` : `/things/${i}`));
      const bodies = await Promise.all(paths.map((p, i) => get(i + 1, p)));
      for (let i = 0; i < paths.length; i++) {
        const odd = i % 2 === 1;
        expect(routes.get(String(i + 1))).toBe(odd ? '/orgs/:org/users/:id' : '/things/:thing');
        expect(bodies[i]).toEqual(
          odd ? { route: '/:id', baseUrl: `/orgs/o${i}/users` } : { route: '/things/:thing', baseUrl: '' },
        );
      }
      // The first request carried own accessors; every later one used the prototype's.
      expect(own[0]).toBe(true);
      expect(own.slice(1)).toEqual(new Array(paths.length).fill(false));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
