// A small Express app instrumented with Sightline. Run it with `node src/app.mjs` after
// `pnpm build` (the workspace packages are consumed through their built `dist/`).
//
//   ALLSTAK_API_KEY=... ALLSTAK_HOST=http://127.0.0.1:4318 PORT=3000 node src/app.mjs
//
// Without ALLSTAK_API_KEY the SDK is a no-op and the app still serves requests.
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { captureException, init, setTag, setUser } from '@sightline/core';
import { setupExpressErrorHandler, sightlineRequestHandler } from '@sightline/express';
import { SightlineTransport, sightlineFormat, sightlineMeta } from '@sightline/winston';
import express from 'express';
import winston from 'winston';

/**
 * The app's Winston logger: JSON lines on stdout stamped with `trace_id`, `span_id` and
 * `request_id`, and each record sent to Sightline as a `/logs` record of the request it was
 * logged in (error records also as error events, info records as breadcrumbs).
 */
export const log = winston.createLogger({
  level: 'info',
  // Captures the ids inside `log.info(…)` itself, so a transport that answers late (a File
  // transport under load) cannot stamp a record with whichever request is current by then.
  defaultMeta: sightlineMeta(),
  format: winston.format.combine(sightlineFormat(), winston.format.json()),
  transports: [new winston.transports.Console(), new SightlineTransport()],
});

const users = new Map([
  ['1', { id: '1', name: 'Ada Lovelace' }],
  ['2', { id: '2', name: 'Alan Turing' }],
]);

/** The app, without listening: tests and the demo mount it on their own server. */
export function createApp() {
  const app = express();
  // First, so every route and router below runs inside the request's context.
  app.use(sightlineRequestHandler());
  app.use(express.json());

  app.get('/health', (_req, res) => {
    res.json({ ok: true });
  });

  const usersRouter = express.Router();
  usersRouter.get('/:id', (req, res) => {
    const user = users.get(req.params.id);
    if (!user) {
      res.status(404).json({ error: 'no such user' });
      return;
    }
    setUser({ id: user.id });
    log.info('user loaded', { userId: user.id });
    res.json(user);
  });
  usersRouter.post('/:id/orders', async (req, res) => {
    setUser({ id: req.params.id });
    setTag('order.items', Array.isArray(req.body?.items) ? req.body.items.length : 0);
    await new Promise((r) => setTimeout(r, 5));
    res.status(201).json({ orderId: `o-${Date.now()}` });
  });
  usersRouter.get('/:id/fail', (req) => {
    setUser({ id: req.params.id });
    throw new Error(`could not load user ${req.params.id}`);
  });
  // Express 5 forwards rejected promises to error middleware (Express 4 does not).
  usersRouter.get('/:id/async-fail', async (req) => {
    setUser({ id: req.params.id });
    await new Promise((r) => setTimeout(r, 5));
    throw new Error(`async failure for user ${req.params.id}`);
  });

  const api = express.Router();
  api.use('/users', usersRouter);
  app.use('/api', api);

  app.get('/stream', async (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    for (let i = 0; i < 3; i++) {
      res.write(`chunk ${i}\n`);
      await new Promise((r) => setTimeout(r, 10));
    }
    res.end();
  });

  app.get('/handled', (_req, res) => {
    try {
      JSON.parse('{not json');
    } catch (err) {
      captureException(err, { tags: { where: 'handled-route' } });
    }
    res.json({ handled: true });
  });

  // After all routes, before the app's own error handler.
  setupExpressErrorHandler(app);
  app.use((err, req, res, _next) => {
    // The same Error the handler above reported: a /logs record, not a second error event.
    log.error('request failed', { err, path: req.path });
    res.status(err.status ?? err.statusCode ?? 500).json({ error: 'internal error' });
  });
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
    release: process.env.ALLSTAK_RELEASE ?? 'example-express@0.0.0',
    service: 'example-express',
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
  console.log(`example-express listening on ${url}`);
}
