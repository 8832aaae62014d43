import type { Client, Hub, Scope, SightlineContext, Span } from '@sightline/core';
import {
  getProcessHub,
  injectTraceHeaders,
  isSdkUrl,
  nowMs,
  shouldPropagateTo,
  startInactiveSpan,
} from './core-fns.js';
import type { ResolvedOutboundOptions } from './options.js';

/**
 * One outbound HTTP exchange, from the moment the library creates the request to its end.
 * Both channel families (undici, node:http) translate their events into `startExchange`,
 * `injectHeaders` and `finishExchange`, so spans, records and breadcrumbs look the same.
 */
export interface Exchange {
  readonly client: Client;
  /** The caller's scope: events of the response arrive in another async context. */
  readonly scope: Scope;
  readonly span: Span;
  readonly method: string;
  /** `host[:port]`. */
  readonly host: string;
  /** Path without query string or fragment. */
  readonly path: string;
  /** Origin + path, no query string. */
  readonly url: string;
  readonly library: 'undici' | 'http';
  readonly breadcrumbs: boolean;
  /** Wall-clock start (`Date.now()`) for the record; durations come from the span's clock. */
  readonly startEpoch: number;
  statusCode: number;
  requestSize: number | undefined;
  responseSize: number | undefined;
  done: boolean;
}

/** Header access for the library's request object. */
export interface HeaderAccess<C> {
  has(carrier: C, name: string): boolean;
  set(carrier: C, name: string, value: string): void;
}

const MAX_PATH = 2048;

function stripQuery(path: string): string {
  let end = path.length;
  const q = path.indexOf('?');
  if (q !== -1) end = q;
  const h = path.indexOf('#');
  if (h !== -1 && h < end) end = h;
  if (end > MAX_PATH) end = MAX_PATH;
  return end === path.length ? path : path.slice(0, end);
}

function hostOf(origin: string): string {
  const i = origin.indexOf('//');
  const host = i === -1 ? origin : origin.slice(i + 2);
  return host.endsWith('/') ? host.slice(0, -1) : host;
}

function safeIgnore(options: ResolvedOutboundOptions, url: string, method: string): boolean {
  const fn = options.ignoreOutgoingRequests;
  if (!fn) return false;
  try {
    return fn(url, method) === true;
  } catch {
    return false;
  }
}

/** The hub of an async context read with `activeContext()` (what `getCurrentHub()` returns there). */
export function hubOf(ctx: SightlineContext): Hub {
  return (ctx.hub as Hub | undefined) ?? getProcessHub();
}

/**
 * Opens the client span under the caller's active span. Returns undefined when there is nothing
 * to record: no enabled client, the SDK's own backend, or an ignored URL. The caller has already
 * checked suppression, runs this in the caller's async context and passes that context's hub.
 */
export function startExchange(
  options: ResolvedOutboundOptions,
  library: 'undici' | 'http',
  method: string,
  origin: string,
  rawPath: string,
  hub: Hub,
): Exchange | undefined {
  const client = hub.client;
  if (!client?.enabled || client.isClosed() || isSdkUrl(client, origin)) return undefined;
  const path = stripQuery(rawPath);
  const host = hostOf(origin);
  const url = origin + path;
  if (safeIgnore(options, url, method)) return undefined;
  const span = startInactiveSpan({
    name: 'http.client',
    kind: 'client',
    description: `${method} ${host}${path}`,
  });
  if (span.isRecording()) {
    span.setTag('http.method', method);
    span.setTag('http.url', url);
    span.setTag('server.address', host);
    span.setTag('http.library', library);
  }
  return {
    client,
    scope: hub.scope,
    span,
    method,
    host,
    path,
    url,
    library,
    breadcrumbs: options.breadcrumbs,
    startEpoch: Date.now(),
    statusCode: 0,
    requestSize: undefined,
    responseSize: undefined,
    done: false,
  };
}

/**
 * Writes the trace headers for this exchange's client span (so the receiver's parent is this
 * call, not the caller's span), where `tracePropagationTargets` allow it. `fullUrl` keeps the
 * query string so targets can match on it, as in other SDKs.
 */
export function injectHeaders<C>(
  ex: Exchange,
  carrier: C,
  access: HeaderAccess<C>,
  fullUrl: string,
  origin: string,
): void {
  if (!shouldPropagateTo(ex.client, fullUrl, origin)) return;
  injectTraceHeaders(ex.client, carrier, access.set, access.has, ex.span);
}

/** A stable short code for a failure: `ECONNREFUSED`, `UND_ERR_HEADERS_TIMEOUT`, `AbortError`. */
export function errorCode(err: unknown): string {
  const e = err as { code?: unknown; name?: unknown; cause?: { code?: unknown } } | null | undefined;
  if (typeof e?.code === 'string') return e.code;
  const cause = e?.cause;
  if (cause && typeof cause === 'object' && typeof cause.code === 'string') return cause.code;
  if (typeof e?.name === 'string') return e.name;
  return 'Error';
}

export function isAbortError(err: unknown): boolean {
  const e = err as { code?: unknown; name?: unknown } | null | undefined;
  return e?.name === 'AbortError' || e?.code === 'ABORT_ERR' || e?.code === 'UND_ERR_ABORTED';
}

/**
 * Ends the exchange once: span status (error on failure or 5xx), the outbound `/http-requests`
 * record (sent whether or not the trace is sampled) and the breadcrumb. `failure` is the error of
 * a request that did not complete; `statusCode` stays whatever the response said, 0 without one.
 */
export function finishExchange(ex: Exchange, failure?: { error?: unknown; aborted?: boolean }): void {
  if (ex.done) return;
  ex.done = true;
  const end = nowMs();
  const { span, client, statusCode } = ex;
  let metadata: Record<string, unknown> | undefined;
  if (failure) {
    const aborted = failure.aborted === true || (failure.error !== undefined && isAbortError(failure.error));
    metadata = aborted ? { aborted: true } : {};
    if (failure.error !== undefined) metadata.error = errorCode(failure.error);
    if (span.isRecording()) {
      if (failure.error !== undefined) span.recordException(failure.error);
      if (typeof metadata.error === 'string') span.setTag('error.type', metadata.error);
      if (aborted) span.setTag('http.aborted', true);
    }
  }
  if (span.isRecording() && statusCode > 0) span.setTag('http.status_code', statusCode);
  span.setStatus(failure || statusCode >= 500 ? 'error' : 'ok');
  span.end(end);

  const durationMs = end - span.startTime;
  if (client.wants('http-request')) {
    const o = client.options;
    client.dispatch('http-request', {
      direction: 'outbound',
      method: ex.method,
      host: ex.host,
      path: ex.path,
      statusCode,
      durationMs,
      timestamp: ex.startEpoch,
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      requestId: ex.scope.requestId,
      requestSize: ex.requestSize,
      responseSize: ex.responseSize,
      userId: ex.scope.user?.id,
      environment: o.environment,
      release: o.release,
      service: o.service,
      metadata,
    });
  }
  if (ex.breadcrumbs) {
    const data: Record<string, unknown> = { method: ex.method, url: ex.url, status_code: statusCode };
    if (metadata?.error !== undefined) data.error = metadata.error;
    client.addBreadcrumb(
      {
        // Given here, so the client does not copy the breadcrumb to add it.
        timestamp: Date.now(),
        type: 'http',
        category: 'http',
        level: failure || statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warning' : 'info',
        data,
      },
      ex.scope,
    );
  }
}
