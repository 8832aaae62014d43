import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ServerRequestOptions, runServerRequest } from '@sightline/core';

/** The parts of Nest's `AbstractHttpAdapter` used here. */
export interface NestHttpAdapter {
  getInstance?(): unknown;
  use?(...args: unknown[]): unknown;
}

interface FastifyInstance {
  addHook(
    name: 'onRequest',
    hook: (req: { raw: IncomingMessage }, reply: { raw: ServerResponse }, done: () => void) => void,
  ): unknown;
}

const OPTIONS: ServerRequestOptions = Object.freeze({ framework: 'nestjs' });

function middleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  runServerRequest(req, res, next, OPTIONS);
}

function onRequest(req: { raw: IncomingMessage }, reply: { raw: ServerResponse }, done: () => void): void {
  runServerRequest(req.raw, reply.raw, done, OPTIONS);
}

const installed = new WeakSet<object>();

/**
 * Puts every request the HTTP server receives into core's request lifecycle, as the first
 * path-less middleware of the adapter: Express's app stack, or @fastify/middie on Fastify (Nest
 * registers it before any module is built; it runs in `onRequest`, before body parsing, for
 * 404s too, with node's req/res). A Nest middleware (`forRoutes('*')`) would miss requests
 * outside a global prefix, run after the body parsers (a malformed JSON body would go
 * unrecorded), see a mount-stripped `req.url`, and on Fastify run after the app's own Nest
 * middleware, leaving them outside the request's context.
 *
 * Returns true once installed for this adapter (idempotent).
 */
export function installRequestLifecycle(adapter: NestHttpAdapter | undefined): boolean {
  if (!adapter || typeof adapter !== 'object') return false;
  if (installed.has(adapter)) return true;
  if (typeof adapter.use === 'function') {
    try {
      adapter.use(middleware);
      installed.add(adapter);
      return true;
    } catch {
      // Nest 10's Fastify adapter throws here while @fastify/middie is not registered yet.
    }
  }
  const instance = adapter.getInstance?.() as Partial<FastifyInstance> | undefined;
  if (instance && typeof instance.addHook === 'function') {
    try {
      instance.addHook('onRequest', onRequest);
      installed.add(adapter);
      return true;
    } catch {
      // Fastify refuses hooks once it is listening: nothing left to hook into.
    }
  }
  return false;
}
