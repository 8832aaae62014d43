import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ServerRequestOptions, runServerRequest } from '@sightline/core';
import { rememberFastifyRequest } from './request.js';

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
  rememberFastifyRequest(req.raw, req);
  runServerRequest(req.raw, reply.raw, done, OPTIONS);
}

const installed = new WeakSet<object>();

/**
 * Puts every request the HTTP server receives into core's request lifecycle, below Nest's
 * router: a Fastify `onRequest` hook (runs before body parsing and for 404s) or a path-less
 * Express middleware. A Nest middleware (`forRoutes('*')`) would miss requests outside a global
 * prefix, run after the body parsers (a malformed JSON body would go unrecorded) and see a
 * mount-stripped `req.url`.
 *
 * Returns true once installed for this adapter (idempotent).
 */
export function installRequestLifecycle(adapter: NestHttpAdapter | undefined): boolean {
  if (!adapter || typeof adapter !== 'object') return false;
  if (installed.has(adapter)) return true;
  const instance = adapter.getInstance?.() as Partial<FastifyInstance> | undefined;
  if (instance && typeof instance.addHook === 'function') {
    try {
      instance.addHook('onRequest', onRequest);
      installed.add(adapter);
      return true;
    } catch {
      // Fastify refuses hooks once it is listening; Nest's middleware path below still works.
    }
  }
  if (typeof adapter.use === 'function') {
    adapter.use(middleware);
    installed.add(adapter);
    return true;
  }
  return false;
}
