import { Readable } from 'node:stream';
import {
  addBreadcrumb,
  captureException,
  getActiveSpan,
  getCurrentHub,
  getRequestHub,
  getRequestSpan,
  logger,
  setTag,
  setUser,
} from '@sightline/core';
import { isolationWork, sleep } from '@sightline/testkit';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import Fastify4 from 'fastify4';
import { type SightlineFastifyOptions, sightlineFastify } from '../../src/index.js';

export type FastifyFactory = (options?: Record<string, unknown>) => FastifyInstance;

/** Every supported major, for `describe.each`. Fastify 4 is installed as the `fastify4` alias. */
export const MAJORS: [string, FastifyFactory][] = [
  ['fastify5', Fastify as unknown as FastifyFactory],
  ['fastify4', Fastify4 as unknown as FastifyFactory],
];

export interface AppOptions {
  /** Register the Sightline plugin. @default true */
  sightline?: boolean;
  pluginOptions?: SightlineFastifyOptions;
  /** `/wait` and `/stream-forever` call `onWaiting`, then hold until `release` resolves. */
  gate?: { onWaiting(): void; release: Promise<void> };
  /** Told, for each hook of the `/ctx` routes, whether it ran in the request's hub and span. */
  observe?: (stage: string, inContext: boolean) => void;
}

function httpError(message: string, statusCode?: number): Error {
  return Object.assign(new Error(message), statusCode === undefined ? {} : { statusCode });
}

type Params = { Params: { id: string } };

function inContext(request: FastifyRequest): boolean {
  return getCurrentHub() === getRequestHub(request.raw) && getActiveSpan() === getRequestSpan(request.raw);
}

/** A slow stream of three chunks, so the response is still being written after the handler. */
function slowStream(): Readable {
  return Readable.from(
    (async function* () {
      for (let i = 0; i < 3; i++) {
        await sleep(5);
        yield `chunk ${i}\n`;
      }
    })(),
  );
}

/** The app the tests drive: prefixes, failing routes of every kind, streaming, a gate for aborts. */
export async function buildApp(factory: FastifyFactory, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = factory({ logger: false });
  if (options.sightline !== false) await app.register(sightlineFastify, options.pluginOptions ?? {});

  app.get<Params>('/users/:id', async (request) => {
    setUser({ id: request.params.id });
    setTag('user.id', request.params.id);
    addBreadcrumb({ message: `load user ${request.params.id}` });
    logger.info('user loaded');
    return { id: request.params.id };
  });
  app.post<Params & { Body: unknown }>('/users/:id', async (request, reply) => {
    setUser({ id: request.params.id });
    reply.code(201);
    return { id: request.params.id, body: request.body };
  });
  app.get<Params>('/users/:id/fail', (request) => {
    setUser({ id: request.params.id });
    addBreadcrumb({ message: `before fail ${request.params.id}` });
    throw new Error(`boom ${request.params.id}`);
  });
  app.get<Params>('/users/:id/async-fail', async (request) => {
    setUser({ id: request.params.id });
    await sleep(1);
    addBreadcrumb({ message: `before async fail ${request.params.id}` });
    throw new Error(`async boom ${request.params.id}`);
  });
  app.get<Params>('/users/:id/send-error', (request, reply) => {
    setUser({ id: request.params.id });
    reply.send(new Error(`sent ${request.params.id}`));
  });
  app.get<Params>('/users/:id/timer-error', (request, reply) => {
    setUser({ id: request.params.id });
    setTimeout(() => reply.send(new Error(`timer ${request.params.id}`)), 1);
  });
  app.get<Params>('/users/:id/captured-twice', async (request) => {
    setTag('id', request.params.id);
    const err = new Error('captured by the app too');
    captureException(err);
    throw err;
  });
  app.get<{ Params: { code: string } }>('/client-error/:code', async (request) => {
    throw httpError('client', Number(request.params.code));
  });
  app.get('/unavailable', async () => {
    throw httpError('unavailable', 503);
  });
  app.get('/code-500-then-send', (_request, reply) => {
    reply.code(500).send({ manual: true });
  });
  app.post(
    '/validated',
    { schema: { body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
    async () => ({ ok: true }),
  );
  app.options('/explicit', (_request, reply) => {
    reply.header('allow', 'GET').code(204).send();
  });
  app.get('/stream', (_request, reply) => {
    reply.type('text/plain').send(slowStream());
  });
  app.get('/stream-error', (_request, reply) => {
    const stream = new Readable({
      read() {
        this.destroy(new Error('stream broke before any data'));
      },
    });
    reply.type('text/plain').send(stream);
  });
  app.get('/stream-broken-midway', (_request, reply) => {
    let sent = false;
    const stream = new Readable({
      read() {
        if (!sent) {
          sent = true;
          this.push('first chunk\n');
        } else {
          setTimeout(() => this.destroy(new Error('stream broke midway')), 5);
        }
      },
    });
    reply.type('text/plain').send(stream);
  });
  app.get('/wait', async (_request, reply) => {
    options.gate?.onWaiting();
    await options.gate?.release;
    logger.info('after the client left');
    return reply.send({ late: true });
  });
  app.get('/stream-forever', (_request, reply) => {
    const stream = new Readable({ read() {} });
    stream.push('first chunk\n');
    reply.type('text/plain').send(stream);
    options.gate?.onWaiting();
    void options.gate?.release.then(() => stream.push(null));
  });
  app.get<{ Params: { n: string } }>('/iso/:n', async (request) => {
    const n = request.params.n;
    await isolationWork(n);
    return { n };
  });

  await app.register(
    async (api) => {
      api.get<Params>('/users/:id', async (request) => ({ prefixed: request.params.id }));
      api.get('/', async () => ({ root: true }));
      await api.register(
        async (v2) => {
          v2.get<{ Params: { itemId: string } }>('/items/:itemId', async (request) => ({
            item: request.params.itemId,
          }));
          v2.get('/files/*', async () => ({ wildcard: true }));
        },
        { prefix: '/v2' },
      );
    },
    { prefix: '/api' },
  );

  await app.register(
    async (child) => {
      child.setErrorHandler((error: Error, _request, reply) => {
        if (error.message === 'teapot') return reply.code(418).send({ mapped: 'teapot' });
        if (error.message === 'explode') throw new Error('the error handler itself failed');
        return reply.code(500).send({ custom: error.message });
      });
      child.get('/teapot', async () => {
        throw new Error('teapot');
      });
      child.get('/custom-500', async () => {
        throw new Error('custom');
      });
      child.get('/handler-throws', async () => {
        throw new Error('explode');
      });
    },
    { prefix: '/custom' },
  );

  await app.register(
    async (ctx) => {
      const observe = (stage: string, request: FastifyRequest) =>
        options.observe?.(stage, inContext(request));
      ctx.addHook('preValidation', (request, _reply, done) => {
        observe('preValidation', request);
        done();
      });
      ctx.addHook('preHandler', async (request) => {
        observe('preHandler (async)', request);
      });
      ctx.addHook('preHandler', (request, _reply, done) => {
        observe('preHandler', request);
        done();
      });
      ctx.addHook('onSend', (request, _reply, payload, done) => {
        observe('onSend', request);
        done(null, payload);
      });
      ctx.addHook('onResponse', (request: FastifyRequest, _reply: FastifyReply, done: () => void) => {
        observe('onResponse', request);
        done();
      });
      ctx.addHook('onError', (request, _reply, _error, done) => {
        observe('onError', request);
        done();
      });
      ctx.post('/body', async (request) => {
        observe('handler', request);
        await sleep(2);
        observe('handler after await', request);
        return { echo: request.body };
      });
      ctx.get('/fail', async (request) => {
        await sleep(1);
        observe('handler', request);
        throw new Error('ctx fail');
      });
    },
    { prefix: '/ctx' },
  );
  return app;
}

export interface Running {
  app: FastifyInstance;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Builds the app and listens on 127.0.0.1:0. */
export async function startApp(factory: FastifyFactory, options: AppOptions = {}): Promise<Running> {
  const app = await buildApp(factory, options);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    port,
    async close() {
      app.server.closeAllConnections();
      await app.close();
    },
  };
}
