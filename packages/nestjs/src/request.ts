import { createRequestSlot, setRequestRoute } from '@sightline/core';

/** What Nest hands to enhancers as "the request": Express's request, or Fastify's wrapper of it. */
interface FrameworkRequest {
  /** Fastify: the node `IncomingMessage`. */
  raw?: object;
  /** Express: the matched route (its `path` is the registered template). */
  route?: { path?: unknown };
  /** Fastify 4.10+: the matched route's options. */
  routeOptions?: { url?: unknown };
  /** Fastify before 4.10. */
  routerPath?: unknown;
}

/**
 * The node request `runServerRequest` was called with: Fastify keeps it on `.raw`, Express's
 * request is the node request itself.
 */
export function rawRequest(req: unknown): object | undefined {
  if (typeof req !== 'object' || req === null) return undefined;
  const raw = (req as FrameworkRequest).raw;
  return typeof raw === 'object' && raw !== null ? raw : req;
}

interface NodeResponse {
  readonly headersSent: boolean;
  readonly statusCode: number;
  once(event: 'finish' | 'close', fn: () => void): unknown;
  off(event: 'finish' | 'close', fn: () => void): unknown;
}

/** The node response behind Nest's response object (Fastify's reply keeps it on `.raw`). */
export function rawResponse(res: unknown): NodeResponse | undefined {
  if (typeof res !== 'object' || res === null) return undefined;
  const raw = (res as { raw?: unknown }).raw;
  const r = (typeof raw === 'object' && raw !== null ? raw : res) as Partial<NodeResponse>;
  return typeof r.once === 'function' && typeof r.off === 'function' ? (r as NodeResponse) : undefined;
}

/** The template the HTTP framework matched (includes Nest's prefixes, as registered). */
export function matchedPath(req: unknown): string | undefined {
  if (typeof req !== 'object' || req === null) return undefined;
  const r = req as FrameworkRequest;
  // `routerPath` only where `routeOptions` does not exist: reading it on Fastify 4.10+ warns.
  const p = r.raw ? (r.routeOptions ? r.routeOptions.url : r.routerPath) : r.route?.path;
  return typeof p === 'string' && p.length > 0 ? p : undefined;
}

// Requests whose route the interceptor set from Nest metadata; the filter only fills gaps.
// A private symbol slot rather than a WeakSet: see createObjectSlot and createRequestSlot in core.
const routed = createRequestSlot<true>('sightline.nest.routed');

/** Records the route template of a request (interceptor: authoritative). */
export function setRoute(raw: object, template: string): void {
  routed.set(raw, true);
  setRequestRoute(raw, template);
}

/** Sets the route from the framework's match when the interceptor never ran (guard rejections). */
export function setFallbackRoute(req: unknown): void {
  const raw = rawRequest(req);
  if (!raw || routed.has(raw)) return;
  const p = matchedPath(req);
  if (p !== undefined) setRoute(raw, p);
}
