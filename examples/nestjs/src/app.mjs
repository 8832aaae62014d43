// A small NestJS app instrumented with Sightline, on Express (default) or Fastify. Run it with
// `node src/app.mjs` after `pnpm build` (the workspace packages are consumed through `dist/`).
//
//   ALLSTAK_API_KEY=... ALLSTAK_HOST=http://127.0.0.1:4318 PORT=3000 PLATFORM=fastify node src/app.mjs
//
// Without ALLSTAK_API_KEY the SDK is a no-op and the app still serves requests.
//
// This is plain JavaScript, which has no decorator syntax on Node 20, so Nest's decorators are
// applied as calls (`Get(':id')(Class.prototype, 'method', descriptor)`). In a TypeScript app
// you would write `@Get(':id')` and `imports: [SightlineModule.forRoot({...})]` as usual.
import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Module,
  NotFoundException,
  Param,
  Post,
  ServiceUnavailableException,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { captureException, logger, setTag, setUser } from '@sightline/core';
import { SightlineModule } from '@sightline/nestjs';

const users = new Map([
  ['1', { id: '1', name: 'Ada Lovelace' }],
  ['2', { id: '2', name: 'Alan Turing' }],
]);

class UsersController {
  get(id) {
    const user = users.get(id);
    // A 404 is the client's mistake: recorded, never reported as an error.
    if (!user) throw new NotFoundException(`no user ${id}`);
    setUser({ id: user.id });
    logger.info('user loaded', { userId: user.id });
    return user;
  }

  async createOrder(id, body) {
    setUser({ id });
    setTag('order.items', Array.isArray(body?.items) ? body.items.length : 0);
    await new Promise((r) => setTimeout(r, 5));
    return { orderId: `o-${Date.now()}` };
  }

  fail(id) {
    setUser({ id });
    // Reported once by SightlineModule's filter, with this request's user, route and trace.
    throw new Error(`could not load user ${id}`);
  }

  async maintenance() {
    await new Promise((r) => setTimeout(r, 5));
    throw new ServiceUnavailableException('down for maintenance');
  }

  handled() {
    try {
      JSON.parse('{not json');
    } catch (err) {
      captureException(err, { tags: { where: 'handled-route' } });
    }
    return { handled: true };
  }
}

class HealthController {
  health() {
    return { ok: true };
  }
}

/** Applies method and parameter decorators the way TypeScript's `@decorator` syntax would. */
function route(Cls, name, decorators, params = []) {
  const descriptor = Object.getOwnPropertyDescriptor(Cls.prototype, name);
  for (const decorate of decorators) decorate(Cls.prototype, name, descriptor);
  params.forEach((decorate, index) => {
    decorate(Cls.prototype, name, index);
  });
}

Controller('users')(UsersController);
route(UsersController, 'get', [Get(':id')], [Param('id')]);
route(UsersController, 'createOrder', [Post(':id/orders'), HttpCode(201)], [Param('id'), Body()]);
route(UsersController, 'fail', [Get(':id/fail')], [Param('id')]);
route(UsersController, 'maintenance', [Get(':id/maintenance')]);
route(UsersController, 'handled', [Get(':id/handled')]);
Controller()(HealthController);
route(HealthController, 'health', [Get('health')]);

/**
 * The Nest app, not listening yet. `sightline` is passed to `SightlineModule.forRoot` (it reads
 * the ALLSTAK_* environment by default; `init` is skipped when the process already called it);
 * `logger` is Nest's.
 */
export async function createApp({
  platform = process.env.PLATFORM ?? 'express',
  sightline = {},
  logger = ['error', 'warn'],
} = {}) {
  class AppModule {}
  Module({
    imports: [
      SightlineModule.forRoot({
        apiKey: process.env.ALLSTAK_API_KEY,
        host: process.env.ALLSTAK_HOST,
        release: process.env.ALLSTAK_RELEASE ?? 'example-nestjs@0.0.0',
        service: 'example-nestjs',
        ...sightline,
      }),
    ],
    controllers: [UsersController, HealthController],
  })(AppModule);

  let adapter;
  if (platform === 'fastify') {
    const { FastifyAdapter } = await import('@nestjs/platform-fastify');
    adapter = new FastifyAdapter();
  } else {
    const { ExpressAdapter } = await import('@nestjs/platform-express');
    adapter = new ExpressAdapter();
  }
  const app = await NestFactory.create(AppModule, adapter, { logger });
  app.setGlobalPrefix('api', { exclude: ['health'] });
  app.enableShutdownHooks();
  return app;
}

/**
 * Creates the app and starts listening. Resolves with the app, its URL and a `close()`;
 * closing the app flushes (and, as the module created it, closes) the Sightline client.
 */
export async function start({
  port = Number(process.env.PORT ?? 3000),
  host = '127.0.0.1',
  ...options
} = {}) {
  const app = await createApp(options);
  await app.listen(port, host);
  const address = app.getHttpServer().address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  return { app, url, close: () => app.close() };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await start();
  console.log(`example-nestjs listening on ${url}`);
}
