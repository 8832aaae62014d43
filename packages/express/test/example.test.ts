import { HEX32, TEST_API_KEY, UUID, runExample, startIngestServer } from '@sightline/testkit';
import { expect, it } from 'vitest';

// A variable specifier: the example is plain JavaScript, loaded as it would run with `node`.
const EXAMPLE = new URL('../../../examples/express/src/app.mjs', import.meta.url).href;

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
  await runExample(EXAMPLE, env, async (url) => {
    const user = await fetch(`${url}/api/users/1`);
    expect(user.status).toBe(200);
    ids.user = idsOf(user);
    const fail = await fetch(`${url}/api/users/2/fail`);
    expect(fail.status).toBe(500);
    ids.fail = idsOf(fail);
    expect((await fetch(`${url}/api/users/2/async-fail`)).status).toBe(500);
    expect(await (await fetch(`${url}/stream`)).text()).toBe('chunk 0\nchunk 1\nchunk 2\n');
  });
  const records = server.items('http-requests');
  expect(records.map((r) => [r.path, r.statusCode])).toEqual([
    ['/api/users/:id', 200],
    ['/api/users/:id/fail', 500],
    ['/api/users/:id/async-fail', 500],
    ['/stream', 200],
  ]);
  // The error handler's log.error of an Error already reported adds a log, not a third event.
  expect(server.items('errors').map((e) => [e.message, e.requestContext.route, e.user.id])).toEqual([
    ['could not load user 2', '/api/users/:id/fail', '2'],
    ['async failure for user 2', '/api/users/:id/async-fail', '2'],
  ]);

  // Winston's records arrive as /logs records of the request they were logged in.
  const logs = server.items('logs');
  expect(logs.map((l) => [l.level, l.message, l.metadata.path]).sort()).toEqual([
    ['error', 'request failed', '/api/users/2/async-fail'],
    ['error', 'request failed', '/api/users/2/fail'],
    ['info', 'user loaded', undefined],
  ]);
  const spanOf = (requestId: string) => records.find((r) => r.requestId === requestId)?.spanId;
  expect(logs.find((l) => l.message === 'user loaded')).toMatchObject({
    ...ids.user,
    spanId: spanOf(ids.user.requestId),
    userId: '1',
    metadata: { userId: '1' },
  });
  expect(logs.find((l) => l.metadata.path === '/api/users/2/fail')).toMatchObject({
    ...ids.fail,
    spanId: spanOf(ids.fail.requestId),
    userId: '2',
    metadata: { 'error.type': 'Error', 'error.message': 'could not load user 2' },
  });
  expect(server.invalid).toEqual([]);
  await server.stop();
});
