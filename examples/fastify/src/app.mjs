// A small Fastify app instrumented with Sightline. Run it with `node src/app.mjs` after
// `pnpm build` (the workspace packages are consumed through their built `dist/`).
//
//   ALLSTAK_API_KEY=... ALLSTAK_HOST=http://127.0.0.1:4318 PORT=3000 node src/app.mjs
//
// Without ALLSTAK_API_KEY the SDK is a no-op and the app still serves requests.
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { captureException, init, setTag, setUser } from '@sightline/core';
import { sightlineFastify } from '@sightline/fastify';
import { sightlineMixin, sightlineStream } from '@sightline/pino';
import Fastify from 'fastify';
import pino from 'pino';

const users = new Map([
  ['1', { id: '1', name: 'Ada Lovelace' }],
  ['2', { id: '2', name: 'Alan Turing' }],
]);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Routes mounted under `/api`: their records and spans are named `/api/users/:id`, etc. */
async function usersRoutes(api) {
  api.get('/users/:id', async (request, reply) => {
    const user = users.get(request.params.id);
    if (!user) return reply.code(404).send({ error: 'no such user' });
    setUser({ id: user.id });
    request.log.info({ userId: user.id }, 'user loaded');
    return user;
  });

  api.post(
    '/users/:id/orders',
    {
      schema: {
        body: {
          type: 'object',
          required: ['items'],
          properties: { items: { type: 'array', items: { type: 'string' } } },
        },
      },
    },
    async (request, reply) => {
      setUser({ id: request.params.id });
      setTag('order.items', request.body.items.length);
      await sleep(5);
      return reply.code(201).send({ orderId: `o-${Date.now()}` });
    },
  );

  api.get('/users/:id/fail', (request) => {
    setUser({ id: request.params.id });
    throw new Error(`could not load user ${request.params.id}`);
  });

  api.get('/users/:id/async-fail', async (request) => {
    setUser({ id: request.params.id });
    await sleep(5);
    throw new Error(`async failure for user ${request.params.id}`);
  });
}

/**
 * The app's Pino logger: JSON lines on stdout stamped with `trace_id`, `span_id` and
 * `request_id` (the mixin), and each record sent to Sightline as a `/logs` record of the request
 * it was logged in (error records also as error events, info records as breadcrumbs).
 */
export const log = pino(
  { level: 'info', mixin: sightlineMixin() },
  pino.multistream([{ stream: process.stdout }, { level: 'info', stream: sightlineStream() }]),
);

/** The app, ready to listen: tests and the demo can also use `app.inject` or their own server. */
export async function createApp() {
  // Fastify 5 takes a ready logger as `loggerInstance` (`logger` only takes options). Its own
  // lines (requests, 5xx errors) and `request.log` in routes then go through the same streams.
  const app = Fastify({ loggerInstance: log });
  // First, so every hook and route below runs inside the request's context.
  await app.register(sightlineFastify);

  app.get('/health', async () => ({ ok: true }));

  await app.register(usersRoutes, { prefix: '/api' });

  app.get('/stream', (_request, reply) => {
    const chunks = (async function* () {
      for (let i = 0; i < 3; i++) {
        yield `chunk ${i}\n`;
        await sleep(10);
      }
    })();
    return reply.type('text/plain').send(Readable.from(chunks));
  });

  app.get('/handled', async () => {
    try {
      JSON.parse('{not json');
    } catch (err) {
      captureException(err, { tags: { where: 'handled-route' } });
    }
    return { handled: true };
  });

  return app;
}

/**
 * Initializes Sightline from the environment and starts listening.
 * Resolves with the Fastify app, its URL, the client and a `close()` that flushes.
 */
export async function start({ port = Number(process.env.PORT ?? 3000), host = '127.0.0.1' } = {}) {
  const client = init({
    apiKey: process.env.ALLSTAK_API_KEY,
    host: process.env.ALLSTAK_HOST,
    release: process.env.ALLSTAK_RELEASE ?? 'example-fastify@0.0.0',
    service: 'example-fastify',
  });
  const app = await createApp();
  await app.listen({ port, host });
  const address = app.server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  return {
    app,
    server: app.server,
    url,
    client,
    async close() {
      app.server.closeAllConnections();
      await app.close();
      await client.close(2000);
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await start();
  console.log(`example-fastify listening on ${url}`);
}
