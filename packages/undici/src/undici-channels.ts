import { AsyncResource } from 'node:async_hooks';
import { createObjectSlot, type SightlineContext } from '@sightline/core';
import { activeContext, getCurrentHub } from './core-fns.js';
import { type Exchange, finishExchange, hubOf, injectHeaders, startExchange } from './exchange.js';
import type { ResolvedOutboundOptions } from './options.js';
import { type ChannelSubscription, channelSubscription } from './subscription.js';
import { undiciHeaders } from './undici-headers.js';

/**
 * The slice of undici's `Request` (lib/core/request.js, undici 6 and 7 and the copy bundled in
 * Node for global `fetch`) these subscribers read. Typed structurally: undici is not imported.
 */
interface UndiciRequest {
  origin?: string | { origin?: string };
  path?: string;
  method?: string;
  headers?: unknown;
  contentLength?: number | null;
  body?: unknown;
  upgrade?: string | null;
  addHeader?(name: string, value: string): unknown;
}

interface CreateMessage {
  request: UndiciRequest;
}
interface HeadersMessage {
  request: UndiciRequest;
  response: { statusCode: number; headers: unknown };
}
interface ErrorMessage {
  request: UndiciRequest;
  error: unknown;
}

export const UNDICI_CHANNELS = {
  create: 'undici:request:create',
  headers: 'undici:request:headers',
  trailers: 'undici:request:trailers',
  error: 'undici:request:error',
} as const;

const CONTENT_LENGTH = 'content-length';

/** ASCII case-insensitive `content-length`, for a name undici gives as a Buffer or a string. */
function isContentLength(k: unknown): boolean {
  if (typeof k === 'string') return k.length === 14 && k.toLowerCase() === CONTENT_LENGTH;
  if (!(k instanceof Uint8Array) || k.length !== 14) return false;
  for (let i = 0; i < 14; i++) {
    const c = k[i]!;
    // Letters compare with their lower-case bit set; the '-' at index 7 must match exactly.
    if ((i === 7 ? c : c | 0x20) !== CONTENT_LENGTH.charCodeAt(i)) return false;
  }
  return true;
}

function parseLength(v: unknown): number | undefined {
  // Raw header values are Buffers: plain digits are read from the bytes, without decoding.
  if (v instanceof Uint8Array && v.length > 0 && v.length <= 16) {
    let n = 0;
    let i = 0;
    for (; i < v.length; i++) {
      const c = v[i]!;
      if (c < 0x30 || c > 0x39) break;
      n = n * 10 + (c - 0x30);
    }
    if (i === v.length) return n;
  }
  const s = String(v);
  if (s.length > 16) return undefined;
  const n = Number(s);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

/** `content-length` from undici's raw response headers (Buffers or strings, alternating). */
function responseLength(headers: unknown): number | undefined {
  if (!Array.isArray(headers)) return undefined;
  for (let i = 0; i + 1 < headers.length; i += 2) {
    if (isContentLength(headers[i])) return parseLength(headers[i + 1]);
  }
  return undefined;
}

function requestLength(request: UndiciRequest): number | undefined {
  const cl = request.contentLength;
  if (typeof cl === 'number' && cl >= 0) return cl;
  const body = request.body;
  return Buffer.isBuffer(body) ? body.byteLength : undefined;
}

// undici keeps the request's handler under a module-private symbol; it is looked up once per
// Request class (undici 6, 7 and Node's bundled copy each have their own). The last class seen
// is kept aside: a process nearly always uses one, and that skips the WeakMap lookup.
const handlerKeys = new WeakMap<object, symbol | null>();
let lastProto: object | null = null;
let lastKey: symbol | null = null;

/**
 * The async resource the request's handler was created in, when it is one. undici's own API
 * handlers (`request`, `stream`, `pipeline`) are AsyncResources made in the caller's context;
 * that matters when a Pool with a `connections` limit queues the call and creates the Request
 * later, inside another request's socket callback, whose context belongs to another trace.
 */
function callerResource(request: object): AsyncResource | undefined {
  const proto = Object.getPrototypeOf(request) as object | null;
  if (proto === null) return undefined;
  let key: symbol | null | undefined;
  if (proto === lastProto) key = lastKey;
  else {
    key = handlerKeys.get(proto);
    if (key === undefined) {
      key = Object.getOwnPropertySymbols(request).find((s) => s.description === 'handler') ?? null;
      handlerKeys.set(proto, key);
    }
    lastProto = proto;
    lastKey = key;
  }
  if (key === null) return undefined;
  const handler = (request as Record<symbol, unknown>)[key];
  return handler instanceof AsyncResource ? handler : undefined;
}

function logFailure(what: string, err: unknown): void {
  try {
    getCurrentHub().client?.debug.log(
      `undici instrumentation: ${what} failed: ${String((err as Error)?.message ?? err)}`,
    );
  } catch {}
}

function originOf(request: UndiciRequest): string | undefined {
  const o = request.origin;
  if (typeof o === 'string') return o;
  return typeof o?.origin === 'string' ? o.origin : undefined;
}

/**
 * Subscribers for `undici:request:*`, with their per-request state.
 *
 * The exchange is kept on undici's own `Request` under a symbol of this subscription, not in a
 * WeakMap: that object is undici's internal one, never the caller's request or response (STYLE
 * rule 5 is about those), and in a fetch-heavy process a WeakMap entry for it cost ~1.5 µs per
 * request against ~0.15 µs for the property (bench/profile/undici-insitu.mjs). The property is
 * cleared, not deleted, at the end: deleting would turn the object into a slow dictionary.
 */
export function createUndiciSubscription(getOptions: () => ResolvedOutboundOptions): ChannelSubscription {
  const slot = createObjectSlot<Exchange>('sightline.undici.exchange');
  // For a Request that cannot take a property (none does today): then the WeakMap after all.
  const sealed = new WeakMap<object, Exchange>();
  const stateOf = (request: UndiciRequest): Exchange | undefined => slot.get(request) ?? sealed.get(request);
  const setState = (request: UndiciRequest, ex: Exchange | undefined): void => {
    if (ex === undefined) {
      if (slot.has(request)) slot.clear(request);
      else sealed.delete(request);
    } else if (!slot.set(request, ex)) sealed.set(request, ex);
  };

  // Runs in the caller's context `ctx`, which is not suppressed.
  const begin = (request: UndiciRequest, ctx: SightlineContext): void => {
    if (stateOf(request) !== undefined) return;
    let origin = originOf(request);
    let path = request.path;
    if (origin === undefined || typeof path !== 'string') return;
    if (path.startsWith('http://') || path.startsWith('https://')) {
      // Absolute-form target (requests sent through an HTTP proxy): the real host is in the path.
      const u = new URL(path);
      origin = u.origin;
      path = u.pathname + u.search;
    }
    const method = typeof request.method === 'string' ? request.method.toUpperCase() : 'GET';
    const ex = startExchange(getOptions(), 'undici', method, origin, path, hubOf(ctx));
    if (!ex) return;
    setState(request, ex);
    ex.requestSize = requestLength(request);
    injectHeaders(ex, request, undiciHeaders, origin + path, origin);
  };

  // The handler's context is the caller's: suppression is checked again there.
  const beginInCaller = (request: UndiciRequest): void => {
    const ctx = activeContext();
    if (ctx.suppressed !== true) begin(request, ctx);
  };

  const onCreate = (message: unknown): void => {
    // One read of the async context serves the suppression check and the hub.
    const ctx = activeContext();
    if (ctx.suppressed === true) return;
    try {
      const request = (message as CreateMessage).request;
      // Upgrades (WebSocket) and CONNECT tunnels never publish an end event: not HTTP exchanges.
      if (!request || request.upgrade || request.method === 'CONNECT') return;
      const resource = callerResource(request);
      if (resource) resource.runInAsyncScope(beginInCaller, null, request);
      else begin(request, ctx);
    } catch (err) {
      logFailure('request:create', err);
    }
  };

  // The events below run in the context of whichever request opened the socket, so they only
  // act on requests `onCreate` accepted (which already checked suppression in the caller's context).
  const onHeaders = (message: unknown): void => {
    try {
      const { request, response } = message as HeadersMessage;
      const ex = stateOf(request);
      if (!ex) return;
      ex.statusCode = response.statusCode;
      ex.responseSize = responseLength(response.headers);
    } catch (err) {
      logFailure('request:headers', err);
    }
  };

  const onTrailers = (message: unknown): void => {
    try {
      const request = (message as CreateMessage).request;
      const ex = stateOf(request);
      if (!ex) return;
      setState(request, undefined);
      finishExchange(ex);
    } catch (err) {
      logFailure('request:trailers', err);
    }
  };

  const onError = (message: unknown): void => {
    try {
      const { request, error } = message as ErrorMessage;
      const ex = stateOf(request);
      if (!ex) return;
      setState(request, undefined);
      finishExchange(ex, { error });
    } catch (err) {
      logFailure('request:error', err);
    }
  };

  return channelSubscription([
    [UNDICI_CHANNELS.create, onCreate],
    [UNDICI_CHANNELS.headers, onHeaders],
    [UNDICI_CHANNELS.trailers, onTrailers],
    [UNDICI_CHANNELS.error, onError],
  ]);
}
