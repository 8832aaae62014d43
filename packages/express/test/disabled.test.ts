import { createServer } from 'node:http';
import { init } from '@sightline/core';
import { listen } from '@sightline/testkit';
import express from 'express';
import { expect, it } from 'vitest';
import { setupExpressErrorHandler, sightlineRequestHandler } from '../src/index.js';

it('is a pass-through without an API key: no headers, request fields untouched, errors still answered', async () => {
  const saved = { key: process.env.ALLSTAK_API_KEY, dsn: process.env.ALLSTAK_DSN };
  delete process.env.ALLSTAK_API_KEY;
  delete process.env.ALLSTAK_DSN;
  const client = init({ defaultIntegrations: false });
  expect(client.enabled).toBe(false);
  const app = express();
  app.use(sightlineRequestHandler());
  let routeDescriptor: PropertyDescriptor | undefined;
  app.get('/users/:id', (req, res) => {
    routeDescriptor = Object.getOwnPropertyDescriptor(req, 'route');
    res.json({ id: req.params.id });
  });
  app.get('/fail', () => {
    throw new Error('boom');
  });
  setupExpressErrorHandler(app);
  const s = await listen(createServer(app));
  try {
    const ok = await fetch(`${s.url}/users/1`);
    expect(await ok.json()).toEqual({ id: '1' });
    expect(ok.headers.get('x-allstak-trace-id')).toBeNull();
    expect(routeDescriptor && 'value' in routeDescriptor).toBe(true);
    expect((await fetch(`${s.url}/fail`)).status).toBe(500);
  } finally {
    await s.close();
    await client.close();
    Object.assign(process.env, saved.key === undefined ? {} : { ALLSTAK_API_KEY: saved.key });
    Object.assign(process.env, saved.dsn === undefined ? {} : { ALLSTAK_DSN: saved.dsn });
  }
});
