import type { IncomingMessage, ServerResponse } from 'node:http';
import { captureException, getCurrentHub, runInRequestContext } from '@sightline/core';
import { isServerError } from './error-status.js';
import type { NextFunction } from './request-handler.js';

export interface SightlineErrorHandlerOptions {
  /**
   * Decides whether an error reaching the handler is reported. Errors the app answers with a
   * 4xx (`err.status` / `err.statusCode` 400-499, as set by `http-errors`) are the client's fault.
   * @default (err) => its status/statusCode is absent, outside 400-599, or >= 500
   */
  shouldHandleError?: (err: unknown, req: IncomingMessage) => boolean;
}

/** A 4-argument error middleware as Express 4 and 5 call it. */
export type ExpressErrorMiddleware = (
  err: unknown,
  req: IncomingMessage,
  res: ServerResponse,
  next: NextFunction,
) => void;

function defaultShouldHandle(err: unknown): boolean {
  return isServerError(err);
}

/**
 * Error middleware that reports the error once, with the request's context, route, user and
 * trace, then passes it on with `next(err)`: the response Express (or your own error handler)
 * sends is unchanged. Register it after all routes and before your own error handlers.
 * @example
 * app.get('/boom', () => { throw new Error('boom'); });
 * app.use(sightlineErrorHandler());
 * app.use((err, req, res, next) => res.status(500).json({ error: 'internal' }));
 */
export function sightlineErrorHandler(options: SightlineErrorHandlerOptions = {}): ExpressErrorMiddleware {
  if (options.shouldHandleError !== undefined && typeof options.shouldHandleError !== 'function') {
    throw new TypeError('Invalid `shouldHandleError`: must be a function');
  }
  const shouldHandle = options.shouldHandleError ?? defaultShouldHandle;
  return function sightlineErrorHandlerMiddleware(err, req, _res, next) {
    try {
      // The request context may be lost when a framework or library calls next(err) from a
      // detached callback; the request object always leads back to it.
      runInRequestContext(req, () => report(err, req, shouldHandle));
    } catch {
      // Reporting must never change how the app handles its error.
    }
    next(err);
  };
}

function report(
  err: unknown,
  req: IncomingMessage,
  shouldHandle: NonNullable<SightlineErrorHandlerOptions['shouldHandleError']>,
): void {
  if (!getCurrentHub().client?.enabled) return;
  let wanted: boolean;
  try {
    wanted = shouldHandle(err, req) === true;
  } catch {
    wanted = false;
  }
  // No need to set the route here: it was recorded when the route matched, before unwinding
  // through routers moved req.baseUrl.
  if (wanted) captureException(err, { mechanism: 'express', handled: true });
}

/** Structural view of an Express app: only `use` is needed. */
export interface ExpressLikeApp {
  use(handler: ExpressErrorMiddleware): unknown;
}

/**
 * Registers {@link sightlineErrorHandler} on `app`. Call it after all routes and before your own
 * error handlers.
 * @example
 * app.get('/', handler);
 * setupExpressErrorHandler(app);
 */
export function setupExpressErrorHandler(app: ExpressLikeApp, options?: SightlineErrorHandlerOptions): void {
  app.use(sightlineErrorHandler(options));
}
