import type { IncomingMessage, ServerResponse } from 'node:http';
import { activeContext, withContext } from './context.js';
import { type Hub, getCurrentHub } from './hub.js';
import { newTraceId, newUuid } from './ids.js';
import { createRequestSlot } from './object-slot.js';
import { ALLSTAK_REQUEST_ID_HEADER, ALLSTAK_TRACE_ID_HEADER, extractRequestId } from './propagation/allstak.js';
import { headerGetter } from './propagation/types.js';
import type { Session } from './sessions.js';
import { rootSpan } from './tracing/api.js';
import { type Span, nowMs } from './tracing/span.js';
import type { RequestContext } from './types.js';

/**
 * The framework-agnostic server request lifecycle. Every adapter translates its framework into
 * `runServerRequest(req, res, fn)`: trace extraction, hub forking, the server span, response
 * headers, the `/http-requests` record and session updates all happen here, once.
 */

/** Route recorded for requests that matched no route: never the raw path (cardinality). */
export const UNMATCHED_ROUTE = '<unmatched>';

export interface ServerRequestOptions {
  /** Called once at the end when no route was set with `setRequestRoute`. */
  getRoute?: () => string | undefined;
  /** Tag on the span, e.g. `express`. */
  framework?: string;
}

interface RequestState {
  readonly hub: Hub;
  readonly span: Span;
  readonly request: RequestContext;
  readonly session: Session | undefined;
  readonly options: ServerRequestOptions | undefined;
  ended: boolean;
}

// Under a private symbol rather than in a WeakMap: see object-slot.ts for the measured reason.
const states = createRequestSlot<RequestState>('sightline.request');

function requestHost(req: IncomingMessage): string {
  const h = req.headers.host;
  return typeof h === 'string' && h.length <= 255 ? h : '';
}

function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  const p = q === -1 ? url : url.slice(0, q);
  return p.length > 2048 ? p.slice(0, 2048) : p;
}

/**
 * Runs `fn` (the rest of the framework's handling) inside a forked hub with the server span
 * active. Safe to call twice for one request (nested apps): the inner call just runs `fn`.
 */
export function runServerRequest<T>(req: IncomingMessage, res: ServerResponse, fn: () => T, options?: ServerRequestOptions): T {
  const parentHub = (activeContext().hub as Hub | undefined) ?? getCurrentHub();
  const client = parentHub.client;
  if (states.has(req)) return fn();
  // Disabled or closed: nothing is recorded, but the request still gets its own scope, so a
  // handler's setUser/setTag never lands on the process scope (and on later events once enabled).
  if (!client?.enabled || client.isClosed()) return withContext({ hub: parentHub.fork() }, fn);

  let state: RequestState;
  try {
    const headers = req.headers;
    const extracted = client.propagator.extract(headers, headerGetter);
    const requestId = extractRequestId(headers, headerGetter) ?? newUuid();
    const hub = parentHub.fork();
    const scope = hub.scope;
    const method = req.method ?? 'GET';
    const request: RequestContext = {
      method,
      // Express and Nest rewrite req.url under mount paths; originalUrl keeps what the client sent.
      path: pathOf((req as { originalUrl?: string }).originalUrl ?? req.url),
      host: requestHost(req),
      route: undefined,
      userAgent: typeof headers['user-agent'] === 'string' ? headers['user-agent'].slice(0, 512) : undefined,
    };
    scope.request = request;
    scope.requestId = requestId;
    // The extracted context is fresh per request and already has the propagation shape.
    scope.propagation = extracted ?? { traceId: newTraceId(), parentSpanId: '' };
    const span = rootSpan(client, scope.propagation, `${method} ${UNMATCHED_ROUTE}`, 'server', requestId);
    if (span.isRecording()) {
      if (options?.framework) span.setTag('framework', options.framework);
      span.request = request;
    }
    const session = client.startRequestSession();
    if (session) client.bindRequestSession(scope, session);
    state = {
      hub,
      span,
      request,
      session,
      options,
      ended: false,
    };
    states.set(req, state);
    if (!res.headersSent) {
      res.setHeader(ALLSTAK_TRACE_ID_HEADER, span.traceId);
      res.setHeader(ALLSTAK_REQUEST_ID_HEADER, requestId);
    }
    // 'close' fires after 'finish' for completed responses and alone for aborted ones, and only
    // once (finishRequest also guards): `on` spares `once`'s wrapper, ~0.5 µs inside a live server.
    res.on('close', () => finishRequest(req, res, state));
  } catch (err) {
    client.debug.log(`server request setup failed: ${String((err as Error)?.message ?? err)}`);
    return fn();
  }
  return withContext({ hub: state.hub, span: state.span }, fn);
}

/** Sets the route template of the current request (adapters call this once routing matched). */
export function setRequestRoute(req: object, route: string): void {
  const s = states.get(req);
  if (!s || s.ended) return;
  s.request.route = route;
  s.span.updateName(`${s.request.method} ${route}`);
}

/** The server span of a request handled by `runServerRequest`. */
export function getRequestSpan(req: object): Span | undefined {
  return states.get(req)?.span;
}

/** The hub of a request handled by `runServerRequest` (for code running outside its context). */
export function getRequestHub(req: object): Hub | undefined {
  return states.get(req)?.hub;
}

/** Runs `fn` inside the request's context again (for framework hooks that lose it). */
export function runInRequestContext<T>(req: object, fn: () => T): T {
  const s = states.get(req);
  return s ? withContext({ hub: s.hub, span: s.span }, fn) : fn();
}

function contentLength(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string' || v.length > 16) return undefined;
  const n = Number(v);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function finishRequest(req: IncomingMessage, res: ServerResponse, state: RequestState): void {
  if (state.ended) return;
  state.ended = true;
  const client = state.hub.client;
  if (!client) return;
  try {
    const aborted = !res.writableFinished;
    // A response the client abandoned before headers went out has no real status:
    // 499 (nginx's "client closed request") keeps it apart from the app's own answers.
    const statusCode = aborted && !res.headersSent ? 499 : res.statusCode;
    let route = state.request.route;
    if (route === undefined) {
      try {
        route = state.options?.getRoute?.();
      } catch {
        route = undefined;
      }
      route ??= UNMATCHED_ROUTE;
      state.request.route = route;
    }
    state.request.statusCode = statusCode;
    const end = nowMs();
    const span = state.span;
    const scope = state.hub.scope;
    if (span.isRecording()) {
      span.updateName(`${state.request.method} ${route}`);
      span.setTag('http.method', state.request.method ?? 'GET');
      span.setTag('http.route', route);
      span.setTag('http.status_code', statusCode);
      if (aborted) span.setTag('http.aborted', true);
    }
    if (statusCode >= 500) {
      span.setStatus('error');
      client.sessionFor(scope)?.markErrored();
    } else if (span.status === undefined) {
      span.setStatus('ok');
    }
    span.end(end);
    if (client.wants('http-request')) {
      client.dispatch('http-request', {
        direction: 'inbound',
        method: state.request.method ?? 'GET',
        host: state.request.host ?? '',
        path: route,
        statusCode,
        durationMs: end - span.startTime,
        timestamp: span.startTime,
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId,
        requestId: scope.requestId,
        requestSize: contentLength(req.headers['content-length']),
        // HEAD, 204 and 304 carry a content-length but no body.
        responseSize:
          state.request.method === 'HEAD' || statusCode === 204 || statusCode === 304
            ? 0
            : contentLength(res.getHeader('content-length')),
        userId: scope.user?.id,
        environment: client.options.environment,
        release: client.options.release,
        service: client.options.service,
        metadata: aborted ? { aborted: true } : undefined,
      });
    }
    if (state.session) {
      state.session.end();
      client.releaseRequestSession(state.session);
    }
  } catch (err) {
    client.debug.log(`server request finish failed: ${String((err as Error)?.message ?? err)}`);
  }
}
