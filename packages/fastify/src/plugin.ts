import type { IncomingMessage } from 'node:http';
import {
  type ServerRequestOptions,
  SightlineOptionError,
  captureException,
  getRequestHub,
  runInRequestContext,
  runServerRequest,
  setRequestRoute,
} from '@sightline/core';
import type {
  FastifyInstanceLike,
  FastifyReplyLike,
  FastifyRequestLike,
  SightlineFastifyOptions,
} from './types.js';

type Done = (err?: Error) => void;
type ShouldHandle = NonNullable<SightlineFastifyOptions['shouldHandleError']>;

// One frozen object for every request: no getRoute closure is needed because Fastify has
// matched the route before onRequest, and a request without a match stays UNMATCHED_ROUTE.
const SERVER_OPTIONS: ServerRequestOptions = Object.freeze({ framework: 'fastify' });

const defaultShouldHandle: ShouldHandle = (_error, statusCode) => statusCode >= 500;

/**
 * Errors seen by `onError`, waiting for the final status code. Fastify runs `onError` before the
 * error handler chooses the status, so the decision is taken in `onSend`, once it is known.
 * Kept beside the request, never on it (STYLE rule 5).
 */
const pendingErrors = new WeakMap<IncomingMessage, { readonly error: unknown }>();

function routeTemplate(request: FastifyRequestLike): string | undefined {
  // `routeOptions` builds a fresh object on every access in Fastify 5: read it once.
  const routeOptions = request.routeOptions;
  if (routeOptions !== undefined) return typeof routeOptions.url === 'string' ? routeOptions.url : undefined;
  // Only Fastify < 4.10 lacks routeOptions. Reading `routerPath` on 4.10+ would emit the
  // FSTDEP017 deprecation warning on every 404, so it is never touched there.
  const legacy = (request as { readonly routerPath?: unknown }).routerPath;
  return typeof legacy === 'string' ? legacy : undefined;
}

function report(raw: IncomingMessage, error: unknown, statusCode: number, shouldHandle: ShouldHandle): void {
  try {
    if (getRequestHub(raw)?.client?.enabled !== true) return;
    if (shouldHandle(error, statusCode) !== true) return;
    // onSend may run in a detached context (a stream or a timer answered the request): the
    // request object always leads back to its hub, user and trace.
    runInRequestContext(raw, () => captureException(error, { mechanism: 'fastify', handled: true }));
  } catch {
    // Reporting must never change the response Fastify sends.
  }
}

/**
 * The Sightline plugin for Fastify 4.26+ and 5. Register it first, in the root instance: every
 * request then runs in its own hub with a server span (continuing an inbound `traceparent` or
 * AllStak trace), gets `x-allstak-trace-id` / `x-allstak-request-id` response headers and one
 * `/http-requests` record named by its route template, and errors that end in a 5xx are reported
 * once. The plugin is not encapsulated (`skip-override`), so no `fastify-plugin` is needed.
 * @example
 * const app = Fastify();
 * await app.register(sightlineFastify);
 * app.get('/users/:id', async (req) => ({ id: req.params.id }));
 */
export function sightlineFastify(
  instance: FastifyInstanceLike,
  options: SightlineFastifyOptions,
  done: Done,
): void {
  const shouldHandle = options?.shouldHandleError ?? defaultShouldHandle;
  if (typeof shouldHandle !== 'function') {
    done(new SightlineOptionError('shouldHandleError', 'a function'));
    return;
  }

  instance.addHook(
    'onRequest',
    function sightlineOnRequest(request: FastifyRequestLike, reply: FastifyReplyLike, next: Done) {
      const raw = request.raw;
      // `next` is called inside the request's context so every later hook, the handler and all
      // the async work they start inherit the hub and the server span.
      runServerRequest(
        raw,
        reply.raw,
        () => {
          let route: string | undefined;
          try {
            route = routeTemplate(request);
          } catch {
            route = undefined;
          }
          if (route !== undefined) setRequestRoute(raw, route);
          next();
        },
        SERVER_OPTIONS,
      );
    },
  );

  instance.addHook(
    'onError',
    function sightlineOnError(
      request: FastifyRequestLike,
      _reply: FastifyReplyLike,
      error: unknown,
      next: Done,
    ) {
      // The first error of a request is the one that decided its fate; Fastify does not run onError
      // again for errors thrown later by the error handler itself.
      if (!pendingErrors.has(request.raw)) pendingErrors.set(request.raw, { error });
      next();
    },
  );

  instance.addHook(
    'onSend',
    function sightlineOnSend(
      request: FastifyRequestLike,
      reply: FastifyReplyLike,
      payload: unknown,
      next: (err: Error | null, payload?: unknown) => void,
    ) {
      const pending = pendingErrors.get(request.raw);
      if (pending !== undefined) {
        pendingErrors.delete(request.raw);
        report(request.raw, pending.error, reply.statusCode, shouldHandle);
      }
      next(null, payload);
    },
  );

  done();
}

// What fastify-plugin would add, without depending on it: not encapsulated (hooks reach every
// route of the instance it is registered in), a readable name, and the Fastify range it needs.
Object.defineProperties(sightlineFastify, {
  [Symbol.for('skip-override')]: { value: true },
  [Symbol.for('fastify.display-name')]: { value: '@sightline/fastify' },
  [Symbol.for('plugin-meta')]: { value: Object.freeze({ fastify: '>=4.26.0', name: '@sightline/fastify' }) },
});
