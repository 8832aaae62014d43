import { createServer } from 'node:http';
import Router from '@koa/router';
import { init } from '@sightline/core';
import { listen } from '@sightline/testkit';
import Koa from 'koa';
import { expect, it } from 'vitest';
import { sightlineKoa } from '../src/index.js';

it('is a pass-through without an API key: no headers, context untouched, errors still answered', async () => {
  const saved = { key: process.env.ALLSTAK_API_KEY, dsn: process.env.ALLSTAK_DSN };
  delete process.env.ALLSTAK_API_KEY;
  delete process.env.ALLSTAK_DSN;
  const client = init({ defaultIntegrations: false });
  expect(client.enabled).toBe(false);
  const app = new Koa();
  app.silent = true;
  app.use(sightlineKoa());
  const router = new Router();
  let descriptor: PropertyDescriptor | undefined;
  router.get('/users/:id', (ctx) => {
    descriptor = Object.getOwnPropertyDescriptor(ctx, '_matchedRoute');
    ctx.body = { id: ctx.params.id };
  });
  router.get('/fail', () => {
    throw new Error('boom');
  });
  app.use(router.routes());
  const s = await listen(createServer(app.callback()));
  try {
    const ok = await fetch(`${s.url}/users/1`);
    expect(await ok.json()).toEqual({ id: '1' });
    expect(ok.headers.get('x-allstak-trace-id')).toBeNull();
    expect(descriptor && 'value' in descriptor).toBe(true);
    const fail = await fetch(`${s.url}/fail`);
    expect([fail.status, await fail.text()]).toEqual([500, 'Internal Server Error']);
  } finally {
    await s.close();
    await client.close();
    Object.assign(process.env, saved.key === undefined ? {} : { ALLSTAK_API_KEY: saved.key });
    Object.assign(process.env, saved.dsn === undefined ? {} : { ALLSTAK_DSN: saved.dsn });
  }
});
