import { getCurrentClient } from '@sightline/core';
import { TEST_API_KEY, startIngestServer } from '@sightline/testkit';
import { afterAll, expect, it } from 'vitest';
import { send } from './helpers/http.js';
import { PLATFORMS } from './helpers/nest.js';

interface Started {
  url: string;
  close(): Promise<void>;
}

// A variable specifier: the example is plain JavaScript, loaded as it would run with `node`.
const EXAMPLE = new URL('../../../examples/nestjs/src/app.mjs', import.meta.url).href;
const env = { ...process.env };

afterAll(() => {
  process.env = env;
});

it.each(PLATFORMS)('runs the example app (%s) from env and records its routes', async (platform) => {
  const server = await startIngestServer({ apiKey: TEST_API_KEY });
  Object.assign(process.env, {
    ALLSTAK_API_KEY: TEST_API_KEY,
    ALLSTAK_HOST: server.url,
    ALLSTAK_RELEASE: 'ex@1',
  });
  await getCurrentClient()?.close(0);
  const example = (await import(EXAMPLE)) as {
    start(o: { port: number; platform: string; sightline: object; logger: false }): Promise<Started>;
    createApp(): unknown;
  };
  expect(typeof example.createApp).toBe('function');
  const app = await example.start({
    port: 0,
    platform,
    logger: false,
    sightline: { flushInterval: 20, defaultIntegrations: false },
  });
  try {
    const ok = await send(app.url, '/api/users/1');
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ id: '1', name: 'Ada Lovelace' });
    expect((await send(app.url, '/api/users/9')).status).toBe(404);
    const fail = await send(app.url, '/api/users/2/fail');
    expect(fail.status).toBe(500);
    const order = await send(app.url, '/api/users/2/orders', {
      method: 'POST',
      body: JSON.stringify({ items: [1, 2] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(order.status).toBe(201);
    expect((await send(app.url, '/health')).status).toBe(200);

    const records = await server.waitFor('http-requests', 5);
    expect(records.map((r) => `${r.method} ${r.path} ${r.statusCode}`).sort()).toEqual([
      'GET /api/users/:id 200',
      'GET /api/users/:id 404',
      'GET /api/users/:id/fail 500',
      'GET /health 200',
      'POST /api/users/:id/orders 201',
    ]);
    const [error] = await server.waitFor('errors', 1);
    expect(error).toMatchObject({
      message: 'could not load user 2',
      user: { id: '2' },
      release: 'ex@1',
      traceId: fail.traceId,
      requestId: fail.requestId,
      requestContext: { route: '/api/users/:id/fail' },
    });
    expect(server.invalid).toEqual([]);
  } finally {
    await app.close();
    await server.stop();
  }
  // The module initialised the client, so closing the app closed it.
  expect(getCurrentClient()?.isClosed()).toBe(true);
});
