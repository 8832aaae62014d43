import { inspect } from 'node:util';
import type { Hub } from '../hub.js';
import { normalizeRecord } from '../normalize.js';
import type { Span } from '../tracing/span.js';
import type { LogLevel, SeverityLevel } from '../types.js';

/**
 * The logger bridge shared by @sightline/winston and @sightline/pino: one set of rules for
 * turning a logger record into a `/logs` record, a breadcrumb or an error event.
 */

/** What one logger level turns into. */
export interface LevelRoute {
  level: LogLevel;
  log: boolean;
  breadcrumb: boolean;
  event: boolean;
}

function severityOf(level: LogLevel): SeverityLevel {
  return level === 'warn' ? 'warning' : level;
}

/** Counters of one transport; drops in the shared send queue are in `client.getStats()`. */
export interface LoggerBridgeStats {
  /** Records that reached the transport at a routed level. */
  records: number;
  logs: number;
  breadcrumbs: number;
  events: number;
  /**
   * Records that were cut: a message longer than `maxMessageLength`, or a field past the SDK's
   * normalization bounds (strings over 8192 characters, more than 200 keys or items).
   */
  truncated: number;
  /** Records that could not be read at all (counted, never thrown). */
  failed: number;
}

export function zeroLoggerStats(): LoggerBridgeStats {
  return { records: 0, logs: 0, breadcrumbs: 0, events: 0, truncated: 0, failed: 0 };
}

/** Ids stamped on a record by the main thread, used when no request context is at hand. */
export interface CorrelationIds {
  traceId?: string;
  spanId?: string;
  requestId?: string;
}

// core's normalize() defaults, which captureLog applies to every attribute.
const MAX_STRING = 8192;
const MAX_BREADTH = 200;

/** Cheap top-level check for a field normalization will cut (deeper cuts are not counted). */
export function exceedsLogLimits(v: unknown): boolean {
  if (typeof v === 'string') return v.length > MAX_STRING;
  if (Array.isArray(v)) return v.length > MAX_BREADTH;
  return false;
}

export { MAX_BREADTH as LOG_MAX_BREADTH };

export interface BridgedRecord {
  route: LevelRoute;
  message: string;
  attributes: Record<string, unknown> | undefined;
  /** The Error the record carries, if any. */
  error: object | undefined;
  /**
   * The attributes are fresh JSON data (parsed from a short log line): nothing else references
   * them and they are already bounded, so breadcrumbs can keep them without a normalized copy.
   */
  plain?: boolean;
}

/** Where a record was logged. */
export interface RecordTarget {
  hub: Hub;
  span: Span | undefined;
  /**
   * True inside a request, job or `withScope` (a forked hub). Only then do records become
   * breadcrumbs: the process scope is inherited by every later request, and a record logged
   * outside any (a server's "incoming request" line, logged before the request's context
   * exists) must not show up in the errors of unrelated requests.
   */
  scoped: boolean;
  /** Ids stamped on the record, for when no request context is at hand. */
  ids?: CorrelationIds;
}

/**
 * Turns one logger record into a `/logs` record, a breadcrumb on the current scope, or an error
 * event, acting on the hub (and span) the record was logged in.
 */
export function deliverLogRecord(
  record: BridgedRecord,
  target: RecordTarget,
  mechanism: string,
  stats: LoggerBridgeStats,
): void {
  const { hub, span } = target;
  const client = hub.client;
  if (!client) return;
  const { route, message, attributes } = record;
  if (route.log) {
    client.captureLog(route.level, message, attributes, hub, span, target.ids);
    stats.logs++;
  }
  if (route.breadcrumb && target.scoped) {
    // Normalized now: the scope keeps breadcrumbs for a while and must not pin (or see later
    // mutations of) the caller's objects.
    const data = attributes && !record.plain ? normalizeRecord(attributes, { scrub: false }) : attributes;
    const crumb = {
      timestamp: Date.now(),
      type: 'log',
      category: mechanism,
      level: route.level,
      message,
      data,
    };
    client.addBreadcrumb(crumb, hub.scope);
    stats.breadcrumbs++;
  }
  if (route.event) {
    const level = severityOf(route.level);
    if (record.error) {
      // The event has the exception itself; the log's other fields and its message go along.
      const fields: Record<string, unknown> = { 'log.message': message };
      if (attributes) for (const k in attributes) if (!k.startsWith('error.')) fields[k] = attributes[k];
      const extra = normalizeRecord(fields, { scrub: false }) ?? {};
      client.captureException(record.error, { level, mechanism, handled: true, extra }, hub, span);
    } else {
      client.captureMessage(message, level, hub, span);
    }
    stats.events++;
  }
}

/** A string for anything logged as a message: symbols, objects, BigInt and cycles included. */
export function messageText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v !== 'object' && typeof v !== 'function') return String(v);
  try {
    return inspect(v, {
      depth: 2,
      maxArrayLength: 20,
      maxStringLength: 1024,
      breakLength: Number.POSITIVE_INFINITY,
    });
  } catch {
    return '[unprintable]';
  }
}
