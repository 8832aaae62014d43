import 'reflect-metadata';
import { AsyncResource } from 'node:async_hooks';
import { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import {
  BadRequestException,
  Body,
  type CanActivate,
  Catch,
  Controller,
  type DynamicModule,
  type ExceptionFilter,
  type ArgumentsHost,
  Get,
  Headers,
  HttpException,
  type INestApplication,
  InternalServerErrorException,
  type MiddlewareConsumer,
  Module,
  type NestModule,
  NotFoundException,
  Param,
  Post,
  type Provider,
  RequestMethod,
  ServiceUnavailableException,
  StreamableFile,
  UseFilters,
  UseGuards,
  Version,
  VersioningType,
} from '@nestjs/common';
import { NestFactory, RouterModule } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { addBreadcrumb, captureException, logger, setTag, setUser } from '@sightline/core';
import { type SightlineModuleOptions, SightlineModule } from '../../src/index.js';
import { waitAtGate } from './gates.js';
import { ALL_PATHS, type Platform } from './nest.js';

const tick = (ms = 1) => new Promise((r) => setTimeout(r, ms));
const jitter = () => tick(Math.random() * 10);

/** An app-specific error a user filter answers with 418. */
export class TeapotError extends Error {}
/** An error only a controller-scoped filter catches (409). */
export class ScopedError extends Error {}

@Catch(TeapotError)
export class TeapotFilter implements ExceptionFilter {
  catch(exception: TeapotError, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse();
    const body = JSON.stringify({ teapot: true, message: exception.message });
    // Express and Fastify replies differ; both end with the same status and body.
    if (typeof res.code === 'function') res.code(418).header('content-type', 'application/json').send(body);
    else res.status(418).type('application/json').send(body);
  }
}

@Catch(ScopedError)
class ScopedFilter implements ExceptionFilter {
  catch(_exception: ScopedError, host: ArgumentsHost) {
    const res = host.switchToHttp().getResponse();
    if (typeof res.code === 'function') res.code(409).send({ scoped: true });
    else res.status(409).json({ scoped: true });
  }
}

/** A catch-all filter of the app's own (registered with `useGlobalFilters` or `APP_FILTER`). */
@Catch()
export class EverythingFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost) {
    const status = exception instanceof HttpException ? exception.getStatus() : 500;
    const res = host.switchToHttp().getResponse();
    const body = { everything: true, status };
    if (typeof res.code === 'function') res.code(status).send(body);
    else if (typeof res.status === 'function') res.status(status).json(body);
    else {
      // Fastify hands Nest middleware (and so this filter, for their errors) node's response.
      res.statusCode = status;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      res.end(JSON.stringify(body));
    }
  }
}

class DenyGuard implements CanActivate {
  canActivate() {
    return false;
  }
}

class CrashGuard implements CanActivate {
  canActivate(): boolean {
    throw new Error('guard failure');
  }
}

@Controller('users')
class UsersController {
  @Get(':id')
  get(@Param('id') id: string) {
    setUser({ id });
    setTag('user.id', id);
    addBreadcrumb({ message: `get user ${id}` });
    return { id };
  }

  @Get(':id/sync-error')
  syncError(@Param('id') id: string) {
    setUser({ id });
    throw new Error(`sync failure ${id}`);
  }

  @Get(':id/async-error')
  async asyncError(@Param('id') id: string) {
    setUser({ id });
    await tick();
    throw new TypeError(`async failure ${id}`);
  }

  @Get(':id/http-500')
  http500(@Param('id') id: string) {
    setUser({ id });
    throw new InternalServerErrorException(`http 500 ${id}`);
  }

  @Get(':id/http-503')
  async http503(@Param('id') id: string) {
    setUser({ id });
    await tick();
    throw new ServiceUnavailableException('maintenance');
  }

  @Get(':id/not-found')
  notFound(@Param('id') id: string) {
    setUser({ id });
    throw new NotFoundException(`user ${id} not found`);
  }

  @Get(':id/bad-request')
  async badRequest(@Param('id') id: string) {
    setUser({ id });
    await tick();
    throw new BadRequestException('invalid id');
  }

  @Get(':id/thrown-string')
  thrownString(@Param('id') id: string) {
    setUser({ id });
    throw 'plain string failure';
  }

  @Get(':id/captured-and-thrown')
  capturedAndThrown(@Param('id') id: string) {
    setUser({ id });
    const err = new Error(`reported by the app ${id}`);
    captureException(err);
    throw err;
  }

  @Get(':id/guarded')
  @UseGuards(DenyGuard)
  guarded() {
    return { reached: true };
  }

  @Get(':id/guard-crash')
  @UseGuards(CrashGuard)
  guardCrash() {
    return { reached: true };
  }

  @Get(':id/lost-context')
  async lostContext(@Param('id') id: string) {
    setUser({ id });
    logger.info(`lost context ${id}`);
    await tick();
    throw new Error(`lost context ${id}`);
  }

  @Get(':id/mw-error')
  middlewareError() {
    return { reached: true };
  }

  @Get(':id/teapot')
  teapot(@Param('id') id: string) {
    setUser({ id });
    throw new TeapotError(`short and stout ${id}`);
  }

  @Get(':id/scoped')
  @UseFilters(ScopedFilter)
  scoped() {
    throw new ScopedError('handled by the controller');
  }

  @Post()
  create(@Body() body: { name?: unknown } | undefined) {
    if (typeof body?.name !== 'string') throw new BadRequestException('name is required');
    return { created: body.name };
  }
}

@Controller('files')
class FilesController {
  @Get('stream')
  stream() {
    return new StreamableFile(Readable.from(['alpha,', 'beta,', 'gamma']), { type: 'text/plain' });
  }

  @Get('slow-stream')
  slowStream(@Headers('x-request-id') key: string) {
    const body = new Readable({ read() {} });
    body.push('first chunk\n');
    void waitAtGate(key).then(() => body.push(null));
    return new StreamableFile(body, { type: 'text/plain' });
  }
}

@Controller('slow')
class SlowController {
  /** Holds at the gate named by `x-request-id` with user, tag and breadcrumb set; logs once let go. */
  @Get('hang')
  async hang(@Headers('x-request-id') key: string) {
    setUser({ id: `hang-${key}` });
    setTag('hang', key);
    addBreadcrumb({ message: `hang ${key}` });
    await waitAtGate(key);
    setTag('released', key);
    logger.info(`released ${key}`);
    return { done: true };
  }
}

@Controller('iso')
class IsolationController {
  /** Sets everything at random points so 200 concurrent requests interleave. */
  @Get(':n')
  async isolate(@Param('n') n: string) {
    setUser({ id: `user-${n}` });
    await jitter();
    setTag('req', n);
    await jitter();
    addBreadcrumb({ message: `crumb ${n}` });
    await jitter();
    logger.info(`log ${n}`, { n });
    await jitter();
    captureException(new Error(`iso ${n}`));
    await jitter();
    return { n };
  }
}

@Controller()
class HealthController {
  @Get('health')
  health() {
    return 'ok';
  }
}

@Controller({ path: 'items' })
class ItemsController {
  @Get(':id')
  @Version('2')
  get(@Param('id') id: string) {
    return { id, version: 2 };
  }
}

@Controller('stats')
class StatsController {
  @Get()
  stats() {
    return { stats: true };
  }
}

@Module({ controllers: [StatsController] })
class AdminModule {}

function tagMiddleware(req: unknown, res: unknown, next: () => void) {
  setTag('middleware', 'ran');
  // Nest hands middleware node's own req/res on both platforms (Fastify: through middie).
  setTag('middleware.node', req instanceof IncomingMessage && res instanceof ServerResponse);
  next();
}

// Created outside any request: running `next` in it drops the request's async context, as an
// event-emitter based plugin might.
const detached = new AsyncResource('test-context-breaker');

function contextBreakingMiddleware(_req: unknown, _res: unknown, next: () => void) {
  detached.runInAsyncScope(next);
}

function failingMiddleware(_req: unknown, _res: unknown, _next: () => void) {
  setUser({ id: 'mw-user' });
  throw new Error('middleware failure');
}

export interface AppOptions {
  platform: Platform;
  /** `false`: the same app without Sightline. A module: e.g. `SightlineModule.forRootAsync(...)`. @default {} */
  sightline?: SightlineModuleOptions | DynamicModule | false;
  /** `app.setGlobalPrefix(prefix, { exclude })`. */
  prefix?: { prefix: string; exclude?: string[] };
  /** URI versioning, for the `/v2/items/:id` route. */
  versioning?: boolean;
  cors?: boolean;
  /** Filters the app passes to `app.useGlobalFilters()`. */
  globalFilters?: () => ExceptionFilter[];
  /** Extra providers of the app module (e.g. its own `APP_FILTER`). */
  providers?: Provider[];
}

export interface RunningApp {
  app: INestApplication;
  url: string;
  port: number;
  close(): Promise<void>;
}

export function appModule(options: AppOptions): new () => NestModule {
  const sightline =
    options.sightline === false
      ? []
      : options.sightline && 'module' in options.sightline
        ? [options.sightline]
        : [SightlineModule.forRoot(options.sightline ?? {})];

  @Module({
    imports: [...sightline, AdminModule, RouterModule.register([{ path: 'admin', module: AdminModule }])],
    controllers: [
      UsersController,
      FilesController,
      SlowController,
      IsolationController,
      HealthController,
      ...(options.versioning ? [ItemsController] : []),
    ],
    providers: options.providers ?? [],
  })
  class AppModule implements NestModule {
    configure(consumer: MiddlewareConsumer) {
      consumer.apply(tagMiddleware).forRoutes(ALL_PATHS);
      consumer.apply(failingMiddleware).forRoutes({ path: 'users/:id/mw-error', method: RequestMethod.GET });
      consumer
        .apply(contextBreakingMiddleware)
        .forRoutes({ path: 'users/:id/lost-context', method: RequestMethod.GET });
    }
  }
  return AppModule;
}

/** Starts a real Nest app on 127.0.0.1:0. */
export async function startApp(options: AppOptions): Promise<RunningApp> {
  const adapter = options.platform === 'fastify' ? new FastifyAdapter() : new ExpressAdapter();
  const app = await NestFactory.create(appModule(options), adapter, { logger: false, abortOnError: false });
  if (options.prefix) app.setGlobalPrefix(options.prefix.prefix, { exclude: options.prefix.exclude ?? [] });
  if (options.versioning) app.enableVersioning({ type: VersioningType.URI });
  if (options.cors) app.enableCors();
  if (options.globalFilters) app.useGlobalFilters(...options.globalFilters());
  await app.listen(0, '127.0.0.1');
  const port = (app.getHttpServer().address() as AddressInfo).port;
  return { app, url: `http://127.0.0.1:${port}`, port, close: () => app.close() };
}
