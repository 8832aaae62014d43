// A small Koa app instrumented with Sightline. Run it with `node src/app.mjs` after
// `pnpm build` (the workspace packages are consumed through their built `dist/`).
//
//   ALLSTAK_API_KEY=... ALLSTAK_HOST=http://127.0.0.1:4318 PORT=3000 node src/app.mjs
//
// Without ALLSTAK_API_KEY the SDK is a no-op and the app still serves requests.
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import Router from '@koa/router';
import { captureException, init, logger, setTag, setUser } from '@sightline/core';
import { sightlineKoa } from '@sightline/koa';
import Koa from 'koa';

const users = new Map([
  ['1', { id: '1', name: 'Ada Lovelace' }],
  ['2', { id: '2', name: 'Alan Turing' }],
]);

/** The app, without listening: tests and the demo mount it on their own server. */
export function createApp() {
  const app = new Koa();
  // First, so every middleware and route below runs inside the request's context.
  app.use(sightlineKoa());

  const usersRouter = new Router();
  usersRouter.get('/:id', (ctx) => {
    const user = users.get(ctx.params.id);
    if (!user) ctx.throw(404, 'no such user');
    setUser({ id: user.id });
    logger.info('user loaded', { userId: user.id });
    ctx.body = user;
  });
  usersRouter.post('/:id/orders', async (ctx) => {
    setUser({ id: ctx.params.id });
    setTag('order.source', 'example');
    await new Promise((r) => setTimeout(r, 5));
    ctx.status = 201;
    ctx.body = { orderId: `o-${Date.now()}` };
  });
  usersRouter.get('/:id/fail', async (ctx) => {
    setUser({ id: ctx.params.id });
    await new Promise((r) => setTimeout(r, 5));
    throw new Error(`could not load user ${ctx.params.id}`);
  });

  const api = new Router({ prefix: '/api' });
  api.use('/users', usersRouter.routes());

  const root = new Router();
  root.get('/health', (ctx) => {
    ctx.body = { ok: true };
  });
  root.get('/stream', (ctx) => {
    const stream = new PassThrough();
    ctx.type = 'text/plain';
    ctx.body = stream;
    let i = 0;
    const timer = setInterval(() => {
      stream.write(`chunk ${i}\n`);
      if (++i === 3) {
        clearInterval(timer);
        stream.end();
      }
    }, 10);
  });
  root.get('/handled', (ctx) => {
    try {
      JSON.parse('{not json');
    } catch (err) {
      captureException(err, { tags: { where: 'handled-route' } });
    }
    ctx.body = { handled: true };
  });

  app.use(root.routes());
  app.use(root.allowedMethods());
  app.use(api.routes());
  app.use(api.allowedMethods());
  return app;
}

/**
 * Initializes Sightline from the environment and starts listening.
 * Resolves with the server, its URL, the client and a `close()` that flushes.
 */
export async function start({ port = Number(process.env.PORT ?? 3000), host = '127.0.0.1' } = {}) {
  const client = init({
    apiKey: process.env.ALLSTAK_API_KEY,
    host: process.env.ALLSTAK_HOST,
    release: process.env.ALLSTAK_RELEASE ?? 'example-koa@0.0.0',
    service: 'example-koa',
  });
  const server = createApp().listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  return {
    server,
    url,
    client,
    async close() {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
      await client.close(2000);
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await start();
  console.log(`example-koa listening on ${url}`);
}
