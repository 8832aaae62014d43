import { captureException, getCurrentHub, runServerRequest, setRequestRoute } from '@sightline/core';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { attachResponseHeaders } from './error-headers.js';
import { isServerError } from './error-status.js';
import { type RoutedContext, koaRoute } from './route.js';
import { trackKoaRoute } from './route-tracking.js';

/** The parts of a Koa context the middleware reads, typed structurally (Koa 2 and 3). */
export interface KoaContextLike extends RoutedContext {
  req: IncomingMessage;
  res: ServerResponse;
}

export type KoaNext = () => Promise<unknown>;
export type KoaMiddleware = (ctx: KoaContextLike, next: KoaNext) => Promise<void>;

export interface SightlineKoaOptions {
  /**
   * Decides whether an error thrown downstream is reported. Errors Koa answers with a status
   * below 500 (`err.status` / `err.statusCode`, as set by `ctx.throw(404)` or `http-errors`)
   * are the client's fault.
   * @default (err) => the status Koa will answer with is >= 500 (or the error has none)
   */
  shouldHandleError?: (err: unknown, ctx: KoaContextLike) => boolean;
}

/**
 * Koa middleware that runs the request inside Sightline's request context: it continues the
 * inbound trace, sets the `x-allstak-trace-id` / `x-allstak-request-id` response headers, records
 * one `/http-requests` item and one server span named after the `@koa/router` route template,
 * and reports errors thrown downstream once before re-throwing them, so Koa's own error
 * response and `app.on('error')` behave exactly as without it. `app.use` it first.
 * @example
 * const app = new Koa();
 * app.use(sightlineKoa());
 * app.use(router.routes());
 */
export function sightlineKoa(options: SightlineKoaOptions = {}): KoaMiddleware {
  if (options.shouldHandleError !== undefined && typeof options.shouldHandleError !== 'function') {
    throw new TypeError('Invalid `shouldHandleError`: must be a function');
  }
  const shouldHandle = options.shouldHandleError ?? isServerError;
  return function sightlineKoaMiddleware(ctx, next) {
    if (getCurrentHub().client?.enabled) trackKoaRoute(ctx, setContextRoute);
    return runServerRequest(ctx.req, ctx.res, () => dispatch(ctx, next, shouldHandle), {
      framework: 'koa',
      // Asked at the end, also when the client went away before the handler finished.
      getRoute: () => koaRoute(ctx),
    });
  };
}

function setContextRoute(ctx: RoutedContext, route: string): void {
  setRequestRoute((ctx as KoaContextLike).req, route);
}

async function dispatch(
  ctx: KoaContextLike,
  next: KoaNext,
  shouldHandle: NonNullable<SightlineKoaOptions['shouldHandleError']>,
): Promise<void> {
  try {
    await next();
  } catch (err) {
    report(err, ctx, shouldHandle);
    throw err;
  }
}

function report(
  err: unknown,
  ctx: KoaContextLike,
  shouldHandle: NonNullable<SightlineKoaOptions['shouldHandleError']>,
): void {
  try {
    if (!getCurrentHub().client?.enabled) return;
    attachResponseHeaders(err, ctx.res);
    let wanted: boolean;
    try {
      wanted = shouldHandle(err, ctx) === true;
    } catch {
      wanted = false;
    }
    if (!wanted) return;
    // Known now (the router ran), so the event carries it, not only the request record.
    const route = koaRoute(ctx);
    if (route !== undefined) setRequestRoute(ctx.req, route);
    captureException(err, { mechanism: 'koa', handled: true });
  } catch {
    // Reporting must never change how Koa handles the error.
  }
}
