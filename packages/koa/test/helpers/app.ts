import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import { addBreadcrumb, captureException, logger, setTag, setUser } from '@sightline/core';
import { isolationWork, sleep } from '@sightline/testkit';
import Koa from 'koa';
import Koa2 from 'koa2';
import { sightlineKoa } from '../../src/index.js';

export type KoaClass = typeof Koa;

/** Every supported major, for `describe.each`. */
export const MAJORS: [string, KoaClass][] = [
  ['koa3', Koa],
  ['koa2', Koa2 as unknown as KoaClass],
];

export interface AppOptions {
  /** Install the Sightline middleware. @default true */
  sightline?: boolean;
  /** Resolves when `/wait` may answer; `/wait` calls `onWaiting` once it is waiting. */
  gate?: { onWaiting(): void; readonly release: Promise<void> };
}

/** The app the tests drive: nested and prefixed routers, failing routes, streams, a gate. */
export function buildApp(KoaApp: KoaClass, options: AppOptions = {}) {
  const app = new KoaApp();
  // Koa logs every server error to stderr by default; the tests check that path separately.
  app.silent = true;
  if (options.sightline !== false) app.use(sightlineKoa());

  app.use(async (ctx, next) => {
    if (ctx.path.startsWith('/mw-fail')) throw new Error('middleware boom');
    await next();
  });

  const root = new Router();
  root.get('/users/:id', (ctx) => {
    setUser({ id: ctx.params.id });
    setTag('user.id', String(ctx.params.id));
    addBreadcrumb({ message: `load user ${ctx.params.id}` });
    logger.info('user loaded');
    ctx.body = { id: ctx.params.id };
  });
  root.post('/users/:id', (ctx) => {
    ctx.status = 201;
    ctx.body = { id: ctx.params.id };
  });
  root.options('/explicit', (ctx) => {
    ctx.set('allow', 'GET');
    ctx.status = 204;
  });
  root.get('/client-error/:code', (ctx) => {
    const code = Number(ctx.params.code);
    if (ctx.query.as === 'statusCode') throw Object.assign(new Error('client'), { statusCode: code });
    ctx.throw(code, 'client', ctx.query.auth ? { headers: { 'www-authenticate': 'Bearer' } } : {});
  });
  root.get('/server-error-with-headers', () => {
    throw Object.assign(new Error('unavailable'), { status: 503, headers: { 'retry-after': '5' } });
  });
  root.get('/throw-primitive', () => {
    throw 'a plain string';
  });
  root.get('/stream', (ctx) => {
    const stream = new PassThrough();
    ctx.type = 'text/plain';
    ctx.body = stream;
    void (async () => {
      for (let i = 0; i < 3; i++) {
        stream.write(`chunk ${i}\n`);
        await sleep(5);
      }
      stream.end('done\n');
    })();
  });
  root.get('/wait', async (ctx) => {
    options.gate?.onWaiting();
    await options.gate?.release;
    logger.info('after the client left');
    ctx.body = { late: true };
  });
  root.get('/stream-forever', (ctx) => {
    const stream = new PassThrough();
    ctx.type = 'text/plain';
    ctx.body = stream;
    stream.write('first chunk\n');
    options.gate?.onWaiting();
    void options.gate?.release.then(() => stream.end());
  });
  root.get('/iso/:n', async (ctx) => {
    const n = ctx.params.n as string;
    await isolationWork(n);
    ctx.body = { n };
  });

  const users = new Router();
  users.get('/:id', (ctx) => {
    setUser({ id: ctx.params.id });
    ctx.body = { nested: ctx.params.id };
  });
  users.get('/:id/fail', (ctx) => {
    setUser({ id: ctx.params.id });
    addBreadcrumb({ message: `before fail ${ctx.params.id}` });
    throw new Error(`boom ${ctx.params.id}`);
  });
  users.get('/:id/async-fail', async (ctx) => {
    setUser({ id: ctx.params.id });
    await sleep(1);
    throw new Error('async boom');
  });
  users.get('/:id/captured-twice', (ctx) => {
    const err = new Error('captured by the app too');
    captureException(err);
    setTag('id', String(ctx.params.id));
    throw err;
  });

  const api = new Router({ prefix: '/api' });
  api.use(async (ctx, next) => {
    if (ctx.query.deny) ctx.throw(401, 'denied');
    if (ctx.query.mwfail) throw new Error('router middleware boom');
    await next();
  });
  api.use('/users', users.routes());

  const orgs = new Router({ prefix: '/orgs/:org' });
  orgs.get('/members/:member', (ctx) => {
    ctx.body = { org: ctx.params.org, member: ctx.params.member };
  });

  app.use(root.routes());
  app.use(root.allowedMethods());
  app.use(api.routes());
  app.use(api.allowedMethods());
  app.use(orgs.routes());
  return app;
}
