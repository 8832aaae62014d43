import { errorMonitor } from 'node:events';
import type { SightlineContext } from '@sightline/core';
import { activeContext, getCurrentHub } from './core-fns.js';
import {
  type Exchange,
  finishExchange,
  type HeaderAccess,
  hubOf,
  injectHeaders,
  startExchange,
} from './exchange.js';
import type { ResolvedOutboundOptions } from './options.js';
import { type ChannelSubscription, channelSubscription } from './subscription.js';

/** The slice of `http.ClientRequest` read here (typed structurally). */
interface ClientRequestLike {
  method?: string;
  protocol?: string;
  host?: string;
  path?: string;
  headersSent?: boolean;
  res?: { statusCode?: number; complete?: boolean } | null;
  getHeader(name: string): unknown;
  hasHeader(name: string): boolean;
  setHeader(name: string, value: string): unknown;
  on(event: string | symbol, listener: (...args: any[]) => void): unknown;
}

interface IncomingMessageLike {
  statusCode?: number;
  headers?: Record<string, string | string[] | undefined>;
}

export const HTTP_CHANNELS = {
  /** Published from the ClientRequest constructor, before headers are written (Node >= 22.12). */
  created: 'http.client.request.created',
  /** Published when the request is ended; the headers are already written by then. */
  start: 'http.client.request.start',
  /** Published when the response headers arrive (despite its name). */
  responseFinish: 'http.client.response.finish',
} as const;

const httpHeaders: HeaderAccess<ClientRequestLike> = {
  has: (request, name) => request.hasHeader(name),
  set: (request, name, value) => {
    if (!request.headersSent) request.setHeader(name, value);
  },
};

function parseLength(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isInteger(v) && v >= 0 ? v : undefined;
  if (typeof v !== 'string' || v.length > 16) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function logFailure(what: string, err: unknown): void {
  try {
    getCurrentHub().client?.debug.log(
      `http instrumentation: ${what} failed: ${String((err as Error)?.message ?? err)}`,
    );
  } catch {}
}

/**
 * Subscribers for `http.client.*`. Request errors are observed through `errorMonitor`, which,
 * unlike an 'error' listener, does not count as handling the error: a request the app leaves
 * without an 'error' listener still crashes exactly as it would without Sightline.
 */
export function createHttpSubscription(getOptions: () => ResolvedOutboundOptions): ChannelSubscription {
  const states = new WeakMap<object, Exchange>();

  // `this` is the ClientRequest: plain functions avoid a closure per request.
  function onRequestError(this: ClientRequestLike, error: unknown): void {
    try {
      const ex = states.get(this);
      if (!ex) return;
      states.delete(this);
      finishExchange(ex, { error });
    } catch (err) {
      logFailure('request error', err);
    }
  }

  // A ClientRequest closes last: after its response ended, or when it was torn down.
  function onRequestClose(this: ClientRequestLike): void {
    try {
      const ex = states.get(this);
      if (!ex) return;
      states.delete(this);
      const res = this.res;
      finishExchange(ex, res && res.complete === true ? undefined : { aborted: true });
    } catch (err) {
      logFailure('request close', err);
    }
  }

  const begin = (request: ClientRequestLike, ctx: SightlineContext): void => {
    if (states.has(request)) return;
    const method = typeof request.method === 'string' ? request.method.toUpperCase() : 'GET';
    const hostHeader = request.getHeader('host');
    const host = typeof hostHeader === 'string' ? hostHeader : request.host;
    if (typeof host !== 'string') return;
    let origin = `${request.protocol ?? 'http:'}//${host}`;
    let path = typeof request.path === 'string' ? request.path : '/';
    if (path.startsWith('http://') || path.startsWith('https://')) {
      // Absolute-form target (Node's env-proxy support rewrites the path): the real host is in it.
      const u = new URL(path);
      origin = u.origin;
      path = u.pathname + u.search;
    }
    const ex = startExchange(getOptions(), 'http', method, origin, path, hubOf(ctx));
    if (!ex) return;
    states.set(request, ex);
    ex.requestSize = parseLength(request.getHeader('content-length'));
    if (!request.headersSent) injectHeaders(ex, request, httpHeaders, origin + path, origin);
    request.on(errorMonitor, onRequestError);
    // 'close' is emitted once, and the listener forgets the request: `on` spares the wrapper
    // closure `once` would allocate per request.
    request.on('close', onRequestClose);
  };

  const onRequest = (message: unknown): void => {
    // One read of the async context serves the suppression check and the hub.
    const ctx = activeContext();
    if (ctx.suppressed === true) return;
    try {
      const request = (message as { request?: ClientRequestLike }).request;
      if (request) begin(request, ctx);
    } catch (err) {
      logFailure('request start', err);
    }
  };

  const onResponse = (message: unknown): void => {
    try {
      const { request, response } = message as { request: ClientRequestLike; response: IncomingMessageLike };
      const ex = states.get(request);
      if (!ex) return;
      ex.statusCode = response.statusCode ?? 0;
      ex.responseSize = parseLength(response.headers?.['content-length']);
    } catch (err) {
      logFailure('response', err);
    }
  };

  return channelSubscription([
    [HTTP_CHANNELS.created, onRequest],
    [HTTP_CHANNELS.start, onRequest],
    [HTTP_CHANNELS.responseFinish, onResponse],
  ]);
}
