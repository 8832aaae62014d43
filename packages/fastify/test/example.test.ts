import { TEST_API_KEY, runExample, startIngestServer } from '@sightline/testkit';
import { expect, it } from 'vitest';

// A variable specifier: the example is plain JavaScript, loaded as it would run with `node`.
const EXAMPLE = new URL('../../../examples/fastify/src/app.mjs', import.meta.url).href;

it('runs the example app from env and records its routes', async () => {
  const server = await startIngestServer({ apiKey: TEST_API_KEY });
  const env = { ALLSTAK_API_KEY: TEST_API_KEY, ALLSTAK_HOST: server.url, ALLSTAK_RELEASE: 'ex@1' };
  await runExample(EXAMPLE, env, async (url) => {
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/api/users/1`)).status).toBe(200);
    expect((await fetch(`${url}/api/users/9`)).status).toBe(404);
    const order = await fetch(`${url}/api/users/2/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ items: ['a', 'b'] }),
    });
    expect(order.status).toBe(201);
    const invalid = await fetch(`${url}/api/users/2/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    expect(invalid.status).toBe(400);
    expect((await fetch(`${url}/api/users/2/fail`)).status).toBe(500);
    expect((await fetch(`${url}/api/users/2/async-fail`)).status).toBe(500);
    expect(await (await fetch(`${url}/stream`)).text()).toBe('chunk 0\nchunk 1\nchunk 2\n');
    expect(await (await fetch(`${url}/handled`)).json()).toEqual({ handled: true });
  });
  expect(server.items('http-requests').map((r) => [r.method, r.path, r.statusCode])).toEqual([
    ['GET', '/health', 200],
    ['GET', '/api/users/:id', 200],
    ['GET', '/api/users/:id', 404],
    ['POST', '/api/users/:id/orders', 201],
    ['POST', '/api/users/:id/orders', 400],
    ['GET', '/api/users/:id/fail', 500],
    ['GET', '/api/users/:id/async-fail', 500],
    ['GET', '/stream', 200],
    ['GET', '/handled', 200],
  ]);
  expect(server.items('errors').map((e) => [e.message, e.requestContext.route, e.user?.id])).toEqual([
    ['could not load user 2', '/api/users/:id/fail', '2'],
    ['async failure for user 2', '/api/users/:id/async-fail', '2'],
    [expect.stringContaining('JSON'), '/handled', undefined],
  ]);
  expect(server.items('errors')[2].metadata).toMatchObject({ where: 'handled-route' });
  expect(server.items('logs')).toMatchObject([{ message: 'user loaded', userId: '1' }]);
  expect(server.items('releases')).toMatchObject([{ version: 'ex@1' }]);
  expect(server.invalid).toEqual([]);
  await server.stop();
});
