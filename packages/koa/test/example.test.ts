import { TEST_API_KEY, runExample, startIngestServer } from '@sightline/testkit';
import { expect, it } from 'vitest';

// A variable specifier: the example is plain JavaScript, loaded as it would run with `node`.
const EXAMPLE = new URL('../../../examples/koa/src/app.mjs', import.meta.url).href;

it('runs the example app from env and records its routes', async () => {
  const server = await startIngestServer({ apiKey: TEST_API_KEY });
  const env = { ALLSTAK_API_KEY: TEST_API_KEY, ALLSTAK_HOST: server.url, ALLSTAK_RELEASE: 'ex@1' };
  await runExample(EXAMPLE, env, async (url) => {
    expect((await fetch(`${url}/api/users/1`)).status).toBe(200);
    expect((await fetch(`${url}/api/users/3`)).status).toBe(404);
    expect((await fetch(`${url}/api/users/2/fail`)).status).toBe(500);
    expect(await (await fetch(`${url}/stream`)).text()).toBe('chunk 0\nchunk 1\nchunk 2\n');
  });
  expect(server.items('http-requests').map((r) => [r.path, r.statusCode])).toEqual([
    ['/api/users/:id', 200],
    ['/api/users/:id', 404],
    ['/api/users/:id/fail', 500],
    ['/stream', 200],
  ]);
  expect(server.items('errors').map((e) => [e.message, e.requestContext.route, e.user.id])).toEqual([
    ['could not load user 2', '/api/users/:id/fail', '2'],
  ]);
  expect(server.items('logs')).toMatchObject([{ message: 'user loaded', userId: '1' }]);
  expect(server.invalid).toEqual([]);
  await server.stop();
});
