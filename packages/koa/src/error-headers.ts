import type { ServerResponse } from 'node:http';

/**
 * Koa's `ctx.onerror` removes every response header before answering an error and then sets
 * only `err.headers` (the `http-errors` convention). To keep `x-allstak-trace-id` and
 * `x-allstak-request-id` on error responses, the two headers ride on `err.headers` until the
 * response is done, and are taken off again at `close`. The app's own `err.headers` win and its
 * object is never written to; a merged copy replaces it for the duration.
 */

const ours = new WeakSet<object>();
const originals = new WeakMap<object, { value: unknown; own: boolean }>();

const TRACE = 'x-allstak-trace-id';
const REQUEST = 'x-allstak-request-id';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object') return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function attachResponseHeaders(err: unknown, res: ServerResponse): void {
  if (err === null || typeof err !== 'object' || !Object.isExtensible(err) || res.headersSent) return;
  const trace = res.getHeader(TRACE);
  const request = res.getHeader(REQUEST);
  if (trace === undefined && request === undefined) return;
  const e = err as { headers?: unknown };
  const current = e.headers;
  if (current !== undefined && !isPlainObject(current)) return;
  const descriptor = Object.getOwnPropertyDescriptor(err, 'headers');
  if (descriptor && (!descriptor.writable || !descriptor.configurable)) return;
  // A shared error object may be in flight for two requests at once: the app's own value is
  // remembered by the first and merged by both, never another request's ids.
  const inFlight = current !== undefined && ours.has(current);
  if (!inFlight) originals.set(err, { value: current, own: descriptor !== undefined });
  const appHeaders = inFlight ? originals.get(err)?.value : current;
  const headers: Record<string, unknown> = {};
  if (trace !== undefined) headers[TRACE] = trace;
  if (request !== undefined) headers[REQUEST] = request;
  if (isPlainObject(appHeaders)) Object.assign(headers, appHeaders);
  ours.add(headers);
  Object.defineProperty(err, 'headers', {
    value: headers,
    writable: true,
    configurable: true,
    enumerable: descriptor?.enumerable ?? false,
  });
  res.once('close', () => restore(err, headers));
}

function restore(err: object, headers: object): void {
  const e = err as { headers?: unknown };
  if (e.headers !== headers) return;
  const original = originals.get(err);
  originals.delete(err);
  if (!original?.own) {
    delete e.headers;
  } else {
    e.headers = original.value;
  }
}
