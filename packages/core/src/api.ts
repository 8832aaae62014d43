import { Client } from './client.js';
import { activeContext } from './context.js';
import { queryHash, normalizeQuery, queryType } from './db-query.js';
import { getCurrentHub, getProcessHub, runInForkedHub } from './hub.js';
import { type SightlineOptions, resolveOptions } from './options.js';
import { preseedRequestSlots } from './object-slot.js';
import { installProcessIntegration } from './process.js';
import type { Span } from './tracing/span.js';
import type { Breadcrumb, EventHint, LogLevel, SeverityLevel, User } from './types.js';

function activeSpan(): Span | undefined {
  return activeContext().span as Span | undefined;
}

/**
 * Starts Sightline. Validates options (throws a `TypeError` naming a bad option), creates the
 * client, binds it to the process hub, starts the application session and installs the
 * integrations. Without an API key or exporter it returns a disabled client (a no-op).
 * @example const client = init({ apiKey: process.env.ALLSTAK_API_KEY, release: '1.4.2' });
 */
export function init(options: SightlineOptions = {}): Client {
  const resolved = resolveOptions(options);
  const hub = getProcessHub();
  const previous = hub.client;
  const client = new Client(resolved);
  hub.client = client;
  hub.scope.maxBreadcrumbs = resolved.maxBreadcrumbs;
  if (previous && previous !== client && !previous.isClosed()) void previous.close(0);
  if (!client.enabled) return client;
  client.addTeardown(preseedRequestSlots());
  if (resolved.release) {
    client.dispatch('release', { version: resolved.release, environment: resolved.environment });
    if (resolved.autoSessionTracking && resolved.sessionMode === 'application') client.startSession();
  }
  const integrations = [...resolved.integrations];
  if (resolved.defaultIntegrations) integrations.unshift(installProcessIntegration());
  for (const integration of integrations) {
    try {
      integration.setup(client);
      client.addTeardown(() => integration.teardown?.());
    } catch (err) {
      client.debug.log(`integration ${integration.name} failed to set up: ${String((err as Error)?.message ?? err)}`);
    }
  }
  return client;
}

/** The client `init` installed, if any. */
export function getCurrentClient(): Client | undefined {
  return getCurrentHub().client;
}

/** Reports an error (anything that can be thrown). Returns the event id when it will be sent. */
export function captureException(error: unknown, hint?: EventHint): string | undefined {
  const hub = getCurrentHub();
  return hub.client?.captureException(error, hint, hub, activeSpan());
}

/** Reports a message as an event. */
export function captureMessage(message: string, level: SeverityLevel = 'info'): string | undefined {
  const hub = getCurrentHub();
  return hub.client?.captureMessage(message, level, hub, activeSpan());
}

export function addBreadcrumb(crumb: Breadcrumb): void {
  try {
    const c = breadcrumbFields(crumb);
    if (c === undefined) return;
    const hub = getCurrentHub();
    hub.client?.addBreadcrumb(c, hub.scope);
  } catch {
    // Public telemetry calls never throw into the app (a crumb with throwing getters, a proxy).
  }
}

/**
 * The documented fields only, type-checked: O(1) whatever was passed. A string, an array or a
 * Buffer passed as a crumb would otherwise be spread key by key into the scope and then walked
 * again by every later event.
 */
function breadcrumbFields(crumb: unknown): Breadcrumb | undefined {
  if (!isRecord(crumb)) return undefined;
  const b = crumb as Record<keyof Breadcrumb, unknown>;
  const out: Breadcrumb = {};
  if (typeof b.timestamp === 'number' && Number.isFinite(b.timestamp)) out.timestamp = b.timestamp;
  if (typeof b.type === 'string') out.type = b.type;
  if (typeof b.category === 'string') out.category = b.category;
  const m = b.message;
  if (typeof m === 'string') out.message = m;
  else if (typeof m === 'number' || typeof m === 'boolean') out.message = String(m);
  if (typeof b.level === 'string') out.level = b.level as Breadcrumb['level'];
  if (typeof b.data === 'object' && b.data !== null) out.data = b.data as Record<string, unknown>;
  return out;
}

/** A string, array or Buffer would be walked index by index into one scope entry each. */
function isRecord(v: unknown): boolean {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

// The scope setters below are wrapped because JavaScript callers can pass anything: a value
// whose String() throws (a null-prototype object) must not throw into the app.

export function setUser(user: User | null): void {
  try {
    getCurrentHub().scope.setUser(user);
  } catch {}
}

export function setTag(key: string, value: string | number | boolean): void {
  try {
    getCurrentHub().scope.setTag(key, value);
  } catch {}
}

export function setTags(tags: Record<string, string | number | boolean>): void {
  if (!isRecord(tags)) return;
  try {
    const scope = getCurrentHub().scope;
    for (const k in tags) scope.setTag(k, tags[k]!);
  } catch {}
}

export function setExtra(key: string, value: unknown): void {
  try {
    getCurrentHub().scope.setExtra(key, value);
  } catch {}
}

export function setExtras(extras: Record<string, unknown>): void {
  if (!isRecord(extras)) return;
  try {
    const scope = getCurrentHub().scope;
    for (const k in extras) scope.setExtra(k, extras[k]);
  } catch {}
}

export function setContext(name: string, context: Record<string, unknown> | null): void {
  try {
    getCurrentHub().scope.setContext(name, context);
  } catch {}
}

/**
 * Runs `fn` (sync or async) in a forked hub: tags, user and breadcrumbs set inside stay inside.
 * @example withScope((scope) => { scope.setTag('job', 'sync'); return runJob(); })
 */
export function withScope<T>(fn: (scope: import('./scope.js').Scope) => T): T {
  return runInForkedHub((hub) => fn(hub.scope));
}

function log(level: LogLevel) {
  return (message: string, attributes?: Record<string, unknown>): void => {
    const hub = getCurrentHub();
    hub.client?.captureLog(level, message, attributes, hub, activeSpan());
  };
}

/** Structured logs to `/logs`, carrying the current trace, span, request and user. */
export const logger = Object.freeze({
  debug: log('debug'),
  info: log('info'),
  warn: log('warn'),
  error: log('error'),
  fatal: log('fatal'),
});

export interface CheckIn {
  slug: string;
  status: 'success' | 'failed';
  durationMs?: number;
  message?: string;
}

/** Sends one cron heartbeat. */
export function captureCheckIn(checkIn: CheckIn): void {
  const client = getCurrentHub().client;
  if (!client?.enabled) return;
  try {
    client.dispatch('check-in', {
      slug: String(checkIn.slug),
      status: checkIn.status === 'failed' ? 'failed' : 'success',
      durationMs: checkIn.durationMs ?? 0,
      message: checkIn.message === undefined ? undefined : String(checkIn.message).slice(0, 1000),
      timestamp: Date.now(),
    });
  } catch (err) {
    client.debug.log(`check-in capture failed: ${String((err as Error)?.message ?? err)}`);
  }
}

/**
 * Runs a scheduled job and sends its heartbeat: `success` with its duration, or `failed` with
 * the error message (the error is re-thrown). Works for sync and async jobs.
 */
export function withMonitor<T>(slug: string, fn: () => T): T {
  const start = performance.now();
  const done = (status: 'success' | 'failed', err?: unknown) => {
    try {
      captureCheckIn({
        slug,
        status,
        durationMs: performance.now() - start,
        message: err === undefined ? undefined : String((err as Error)?.message ?? err),
      });
    } catch {
      // The job's own outcome (its result or its error) must reach the caller unchanged.
    }
  };
  let result: T;
  try {
    result = fn();
  } catch (err) {
    done('failed', err);
    throw err;
  }
  const maybe = result as unknown as PromiseLike<unknown> | undefined;
  if (maybe && typeof maybe.then === 'function') {
    maybe.then(
      () => done('success'),
      (err) => done('failed', err),
    );
  } else {
    done('success');
  }
  return result;
}

export interface DbQuery {
  query: string;
  durationMs: number;
  status?: 'success' | 'error';
  error?: unknown;
  databaseName?: string;
  databaseType?: string;
  rowsAffected?: number;
}

/** Records one database query (normalized, hashed) for `/db`, in the current trace. */
export function captureDbQuery(q: DbQuery): void {
  const hub = getCurrentHub();
  const client = hub.client;
  if (!client?.wants('db')) return;
  try {
    const normalized = normalizeQuery(String(q.query));
    const span = activeSpan();
    const status = q.status ?? (q.error === undefined ? 'success' : 'error');
    client.dispatch('db', {
      normalizedQuery: normalized,
      queryHash: queryHash(normalized),
      queryType: queryType(String(q.query)),
      durationMs: q.durationMs,
      timestamp: Date.now() - q.durationMs,
      status,
      errorMessage: q.error === undefined ? undefined : String((q.error as Error)?.message ?? q.error).slice(0, 500),
      databaseName: q.databaseName,
      databaseType: q.databaseType,
      service: client.options.service,
      environment: client.options.environment,
      traceId: span?.traceId ?? hub.scope.propagation?.traceId,
      spanId: span?.spanId,
      rowsAffected: q.rowsAffected ?? -1,
    });
  } catch (err) {
    client.debug.log(`db capture failed: ${String((err as Error)?.message ?? err)}`);
  }
}

/** Starts a new application session by hand (ends the current one). */
export function startSession(user?: User): void {
  getCurrentHub().client?.startSession(user?.id);
}

/** Ends the application session with a status. */
export function endSession(status?: 'ok' | 'errored' | 'crashed' | 'abnormal'): void {
  getCurrentHub().client?.endSession(status);
}

/** Waits until everything captured so far was delivered or given up on. */
export function flush(timeoutMs?: number): Promise<boolean> {
  return getCurrentHub().client?.flush(timeoutMs) ?? Promise.resolve(true);
}

/** Flushes, then shuts the SDK down. */
export function close(timeoutMs?: number): Promise<boolean> {
  return getCurrentHub().client?.close(timeoutMs) ?? Promise.resolve(true);
}
