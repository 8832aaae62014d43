import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Structural views of the few Fastify objects the plugin touches, so the package never imports
 * Fastify at runtime and fits Fastify 4.26+ and 5 alike (STYLE rule 2).
 */

/** The parts of a Fastify request the plugin reads. */
export interface FastifyRequestLike {
  readonly raw: IncomingMessage;
  /** Fastify >= 4.10: `url` is the matched route template, undefined when no route matched. */
  readonly routeOptions?: { readonly url?: string };
}

/** The parts of a Fastify reply the plugin reads. */
export interface FastifyReplyLike {
  readonly raw: ServerResponse;
  readonly statusCode: number;
}

/** The parts of a Fastify instance the plugin uses. */
export interface FastifyInstanceLike {
  // A method (not a property) so Fastify's overloaded `addHook` stays assignable to it.
  addHook(name: string, hook: (...args: any[]) => unknown): unknown;
}

/** Options of {@link sightlineFastify}. */
export interface SightlineFastifyOptions {
  /**
   * Decides whether an error that went through Fastify's error handling is reported, given the
   * status code the response finally got (after your error handler ran). Validation errors,
   * 404s and other 4xx answers are the client's fault and not reported by default.
   * @default (error, statusCode) => statusCode >= 500
   * @example { shouldHandleError: (error, statusCode) => statusCode >= 500 || statusCode === 429 }
   */
  shouldHandleError?: (error: unknown, statusCode: number) => boolean;
}
