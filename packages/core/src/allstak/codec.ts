import { stackTraceLines } from '../stack/parse.js';
import type {
  Breadcrumb,
  CheckInRecord,
  DbQueryRecord,
  ErrorEvent,
  ExceptionModel,
  HttpRequestRecord,
  ItemKind,
  LogRecord,
  SessionEndRecord,
  SessionStartRecord,
  SpanRecord,
} from '../types.js';
import { SDK_NAME } from '../version.js';

/**
 * Model → AllStak wire mapping (PROTOCOL.md). Pure functions; the exporter calls them in the
 * transport worker, never on the capture path.
 */

/** Transport category (= test-kit kind = path suffix) for each item kind. */
export const ALLSTAK_CATEGORY: Record<ItemKind, string> = {
  error: 'errors',
  log: 'logs',
  span: 'spans',
  'http-request': 'http-requests',
  db: 'db',
  'session-start': 'sessions/start',
  'session-end': 'sessions/end',
  'check-in': 'heartbeat',
  release: 'releases',
};

export const BATCHED_CATEGORIES = new Set(['spans', 'http-requests', 'db']);

// Year 10000: past it the ISO form gains a sign and six year digits.
const ISO_FAST_MAX_MS = 253_402_300_800_000;
let isoSecond = Number.NaN;
let isoPrefix = '';

/**
 * `new Date(ms).toISOString()`, without a Date per call: records come in bursts within the same
 * second, so the `YYYY-MM-DDTHH:MM:SS.` prefix is formatted once per second and the milliseconds
 * appended (Date truncates fractional milliseconds; so does this).
 */
export function iso(ms: number): string {
  if (!(ms >= 0 && ms < ISO_FAST_MAX_MS)) return new Date(ms).toISOString();
  const t = Math.floor(ms);
  const second = Math.floor(t / 1000);
  if (second !== isoSecond) {
    isoSecond = second;
    isoPrefix = new Date(second * 1000).toISOString().slice(0, 20);
  }
  const rest = t - second * 1000;
  return `${isoPrefix}${rest < 10 ? '00' : rest < 100 ? '0' : ''}${rest}Z`;
}
const int = (n: number) => (Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0);

function flatValue(v: unknown): string | number | boolean | null {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return Number.isFinite(v) ? v : String(v);
  if (v === undefined) return null;
  try {
    return JSON.stringify(v) ?? null;
  } catch {
    return String(v);
  }
}

/**
 * The wire wants an object: anything else (an array passed as data, or a Date that normalized to
 * a string) is wrapped, so one odd breadcrumb cannot get the whole event rejected.
 */
function crumbData(data: unknown): Record<string, unknown> | undefined {
  if (data === undefined || data === null) return undefined;
  return typeof data === 'object' && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : { value: data };
}

function crumbLevel(level: Breadcrumb['level']): 'debug' | 'info' | 'warn' | 'error' {
  switch (level) {
    case 'debug':
      return 'debug';
    case 'warning':
    case 'warn':
      return 'warn';
    case 'error':
    case 'fatal':
      return 'error';
    default:
      return 'info';
  }
}

function wireFrames(ex: ExceptionModel) {
  return ex.frames.map((f) => ({
    filename: f.filename,
    absPath: f.absPath,
    function: f.function,
    lineno: f.lineno,
    colno: f.colno,
    inApp: f.inApp,
    platform: 'node',
    contextLine: f.contextLine,
    preContext: f.preContext,
    postContext: f.postContext,
  }));
}

export function encodeError(e: ErrorEvent, sdkVersion: string): Record<string, unknown> {
  const metadata: Record<string, string | number | boolean | null> = {};
  for (const k in e.tags) metadata[k] = e.tags[k]!;
  for (const k in e.extras) metadata[k] = flatValue(e.extras[k]);
  for (const k in e.contexts) metadata[`context.${k}`] = flatValue(e.contexts[k]);
  e.causes.forEach((c, i) => {
    metadata[`cause.${i}.exceptionClass`] = c.type;
    metadata[`cause.${i}.message`] = c.value;
    if (c.frames.length > 0) metadata[`cause.${i}.stackTrace`] = stackTraceLines(c.frames).join('\n');
  });
  if (e.mechanism) metadata.mechanism = e.mechanism;
  metadata.handled = e.handled;
  const u = e.user;
  return {
    exceptionClass: e.exception.type,
    message: e.exception.value,
    stackTrace: e.exception.frames.length > 0 ? stackTraceLines(e.exception.frames) : undefined,
    frames: e.exception.frames.length > 0 ? wireFrames(e.exception) : undefined,
    level: e.level,
    environment: e.environment,
    release: e.release,
    dist: e.dist,
    platform: 'node',
    sdkName: SDK_NAME,
    sdkVersion,
    sessionId: e.sessionId,
    traceId: e.traceId,
    spanId: e.spanId,
    parentSpanId: e.parentSpanId || undefined,
    requestId: e.requestId,
    user: u && (u.id !== undefined || u.email !== undefined || u.ip !== undefined) ? { id: u.id, email: u.email, ip: u.ip } : undefined,
    requestContext: e.request,
    breadcrumbs: e.breadcrumbs.length
      ? e.breadcrumbs.map((b) => ({
          timestamp: iso(b.timestamp ?? e.timestamp),
          type: b.type ?? 'default',
          category: b.category,
          message: b.message ?? '',
          level: crumbLevel(b.level),
          data: crumbData(b.data),
        }))
      : undefined,
    fingerprint: e.fingerprint,
    metadata,
  };
}

export function encodeLog(l: LogRecord): Record<string, unknown> {
  return {
    level: l.level,
    message: l.message,
    timestamp: iso(l.timestamp),
    service: l.service,
    environment: l.environment,
    release: l.release,
    traceId: l.traceId,
    spanId: l.spanId,
    requestId: l.requestId,
    userId: l.userId,
    metadata: l.attributes,
  };
}

export function encodeSpan(s: SpanRecord): Record<string, unknown> {
  const tags: Record<string, string> = { ...s.tags, 'span.kind': s.kind };
  let data: string | undefined;
  if (s.data || s.events) {
    try {
      data = JSON.stringify(s.events ? { ...s.data, events: s.events } : s.data);
    } catch {
      data = undefined;
    }
  }
  const start = Math.round(s.startTime);
  const end = Math.max(start, Math.round(s.endTime));
  return {
    traceId: s.traceId,
    spanId: s.spanId,
    parentSpanId: s.parentSpanId,
    operation: s.name,
    description: s.description,
    status: s.status,
    durationMs: int(s.endTime - s.startTime),
    startTimeMillis: start,
    endTimeMillis: end,
    service: s.service,
    environment: s.environment,
    release: s.release,
    tags,
    data,
  };
}

export function encodeHttpRequest(r: HttpRequestRecord): Record<string, unknown> {
  return { ...r, durationMs: int(r.durationMs), timestamp: iso(r.timestamp) };
}

export function encodeDb(q: DbQueryRecord): Record<string, unknown> {
  const { timestamp, ...rest } = q;
  return { ...rest, durationMs: int(q.durationMs), timestampMillis: Math.round(timestamp) };
}

export function encodeSessionStart(s: SessionStartRecord, sdkVersion: string): Record<string, unknown> {
  return {
    sessionId: s.sessionId,
    release: s.release,
    environment: s.environment,
    userId: s.userId,
    sdkName: SDK_NAME,
    sdkVersion,
    platform: 'node',
  };
}

export function encodeSessionEnd(s: SessionEndRecord): Record<string, unknown> {
  return { sessionId: s.sessionId, durationMs: int(s.durationMs), status: s.status };
}

export function encodeCheckIn(c: CheckInRecord): Record<string, unknown> {
  return { slug: c.slug, status: c.status, durationMs: int(c.durationMs), message: c.message };
}

/** The JSON body for a list of items of one category. */
export function encodeBody(category: string, items: readonly unknown[], sdkVersion: string): unknown {
  switch (category) {
    case 'errors':
      return encodeError(items[0] as ErrorEvent, sdkVersion);
    case 'logs':
      return encodeLog(items[0] as LogRecord);
    case 'spans':
      return { spans: items.map((s) => encodeSpan(s as SpanRecord)) };
    case 'http-requests':
      return { requests: items.map((r) => encodeHttpRequest(r as HttpRequestRecord)) };
    case 'db':
      return { queries: items.map((q) => encodeDb(q as DbQueryRecord)) };
    case 'sessions/start':
      return encodeSessionStart(items[0] as SessionStartRecord, sdkVersion);
    case 'sessions/end':
      return encodeSessionEnd(items[0] as SessionEndRecord);
    case 'heartbeat':
      return encodeCheckIn(items[0] as CheckInRecord);
    case 'releases':
      return items[0];
    default:
      throw new Error(`unknown AllStak category ${category}`);
  }
}
