import { HEX32, TEST_API_KEY, UUID, collectOutput, runExample, startIngestServer } from '@sightline/testkit';
import { expect, it } from 'vitest';

// A variable specifier: the example is plain JavaScript, loaded as it would run with `node`.
const EXAMPLE = new URL('../../../examples/fastify/src/app.mjs', import.meta.url).href;

/** The ids the SDK answered a request with, which its records and log lines must carry. */
interface Ids {
  traceId: string;
  requestId: string;
}

function idsOf(res: Response): Ids {
  const ids = {
    traceId: res.headers.get('x-allstak-trace-id')!,
    requestId: res.headers.get('x-allstak-request-id')!,
  };
  expect(ids.traceId).toMatch(HEX32);
  expect(ids.requestId).toMatch(UUID);
  return ids;
}

it('runs the example app from env and records its routes', async () => {
  const server = await startIngestServer({ apiKey: TEST_API_KEY });
  const env = { ALLSTAK_API_KEY: TEST_API_KEY, ALLSTAK_HOST: server.url, ALLSTAK_RELEASE: 'ex@1' };
  const ids = {} as Record<'user' | 'fail', Ids>;
  // The example's Pino logger writes JSON lines to stdout: kept here to check them too.
  const stdout = collectOutput();
  try {
    await runExample(EXAMPLE, env, async (url) => {
      expect((await fetch(`${url}/health`)).status).toBe(200);
      const user = await fetch(`${url}/api/users/1`);
      expect(user.status).toBe(200);
      ids.user = idsOf(user);
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
      const fail = await fetch(`${url}/api/users/2/fail`);
      expect(fail.status).toBe(500);
      ids.fail = idsOf(fail);
      expect((await fetch(`${url}/api/users/2/async-fail`)).status).toBe(500);
      expect(await (await fetch(`${url}/stream`)).text()).toBe('chunk 0\nchunk 1\nchunk 2\n');
      expect(await (await fetch(`${url}/handled`)).json()).toEqual({ handled: true });
    });
  } finally {
    stdout.restore();
  }
  const records = server.items('http-requests');
  expect(records.map((r) => [r.method, r.path, r.statusCode])).toEqual([
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
  // Fastify's own error log of each 5xx is the Error the adapter reported: no second event.
  expect(server.items('errors').map((e) => [e.message, e.requestContext.route, e.user?.id])).toEqual([
    ['could not load user 2', '/api/users/:id/fail', '2'],
    ['async failure for user 2', '/api/users/:id/async-fail', '2'],
    [expect.stringContaining('JSON'), '/handled', undefined],
  ]);
  expect(server.items('errors')[2].metadata).toMatchObject({ where: 'handled-route' });

  // Pino's records (the route's request.log and Fastify's own) arrive as /logs records of the
  // request they were logged in.
  const logs = server.items('logs');
  const spanOf = (requestId: string) => records.find((r) => r.requestId === requestId)?.spanId;
  expect(logs.filter((l) => l.message === 'user loaded')).toMatchObject([
    {
      level: 'info',
      ...ids.user,
      spanId: spanOf(ids.user.requestId),
      userId: '1',
      metadata: { userId: '1' },
    },
  ]);
  expect(logs.filter((l) => l.message === 'could not load user 2')).toMatchObject([
    {
      level: 'error',
      ...ids.fail,
      spanId: spanOf(ids.fail.requestId),
      userId: '2',
      metadata: { 'error.type': 'Error', res: { statusCode: 500 } },
    },
  ]);
  // The same ids on the JSON line the mixin stamped for stdout.
  const lines = stdout
    .text()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
  expect(lines.filter((l) => l.msg === 'user loaded')).toMatchObject([
    { level: 30, trace_id: ids.user.traceId, request_id: ids.user.requestId, userId: '1' },
  ]);
  expect(server.items('releases')).toMatchObject([{ version: 'ex@1' }]);
  expect(server.invalid).toEqual([]);
  await server.stop();
});
