import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ServerRequestOptions, getCurrentHub, runServerRequest, setRequestRoute } from '@sightline/core';
import { type RoutedRequest, routeFromRequest, trackRoute } from './route-template.js';

/** Express's `next`, typed structurally so the package never imports Express at runtime. */
export type NextFunction = (err?: unknown) => void;

/** A middleware as Express 4 and 5 call it. */
export type ExpressMiddleware = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

const TRACKED: ServerRequestOptions = { framework: 'express' };

/**
 * Request handler that runs the rest of the request inside Sightline's request context: it
 * continues the inbound trace, sets the `x-allstak-trace-id` / `x-allstak-request-id` response
 * headers, and records one `/http-requests` item and one server span named after the route
 * template (`GET /api/users/:id`). `app.use` it before any route or router.
 * @example
 * const app = express();
 * app.use(sightlineRequestHandler());
 * app.get('/users/:id', handler);
 * setupExpressErrorHandler(app);
 */
export function sightlineRequestHandler(): ExpressMiddleware {
  return function sightlineRequestHandlerMiddleware(req, res, next) {
    // Disabled (no key) or not initialized: leave the request object exactly as Express made it.
    if (!getCurrentHub().client?.enabled) return next();
    const routed = req as IncomingMessage & RoutedRequest;
    const options = trackRoute(routed, setRequestRoute)
      ? TRACKED
      : { framework: 'express', getRoute: () => routeFromRequest(routed) };
    runServerRequest(req, res, next, options);
  };
}
