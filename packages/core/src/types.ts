/**
 * The Sightline data model: what captured items look like inside the SDK, before an exporter
 * maps them onto a backend's wire format. Exporters own their wire types; this module owns none.
 */

export type SeverityLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

export interface User {
  id?: string;
  email?: string;
  ip?: string;
  username?: string;
}

export interface Breadcrumb {
  /** Epoch milliseconds. Filled in when missing. */
  timestamp?: number;
  type?: string;
  category?: string;
  message?: string;
  level?: SeverityLevel | 'warn';
  data?: Record<string, unknown>;
}

/** One stack frame, in the shape the AllStak `frames` array carries. */
export interface StackFrameModel {
  /** Path relative to `cwd` when the file is under it, else `absPath` (e.g. `node:internal/timers`). */
  filename: string;
  /** Absolute path (`file://` URLs are converted to paths), or the raw location for natives. */
  absPath: string;
  /** `<anonymous>` when unknown; `async ` and `[as alias]` are stripped, `new Foo` is kept. */
  function: string;
  lineno?: number;
  colno?: number;
  inApp: boolean;
  contextLine?: string;
  preContext?: string[];
  postContext?: string[];
}

export interface ExceptionModel {
  /** Class name, e.g. `TypeError`; `Message` for captured messages. */
  type: string;
  value: string;
  /** Innermost last. */
  frames: StackFrameModel[];
}

export interface RequestContext {
  method?: string;
  path?: string;
  host?: string;
  route?: string;
  statusCode?: number;
  userAgent?: string;
}

export interface ErrorEvent {
  eventId: string;
  timestamp: number;
  level: SeverityLevel;
  /** The main exception; for messages, `{ type: 'Message', value: message }`. */
  exception: ExceptionModel;
  /** `Error.cause` / `AggregateError` chain, outermost first (the main exception excluded). */
  causes: ExceptionModel[];
  handled: boolean;
  mechanism?: string;
  environment?: string;
  release?: string;
  dist?: string;
  serverName?: string;
  service?: string;
  sessionId?: string;
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  requestId?: string;
  user?: User;
  request?: RequestContext;
  breadcrumbs: Breadcrumb[];
  tags: Record<string, string>;
  extras: Record<string, unknown>;
  contexts: Record<string, Record<string, unknown>>;
  fingerprint?: string[];
}

export interface LogRecord {
  timestamp: number;
  level: LogLevel;
  message: string;
  attributes?: Record<string, unknown>;
  service?: string;
  environment?: string;
  release?: string;
  traceId?: string;
  spanId?: string;
  requestId?: string;
  userId?: string;
}

export type SpanKind = 'server' | 'client' | 'internal';
export type SpanStatus = 'ok' | 'error';

/** A finished span as exporters see it. */
export interface SpanRecord {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  description?: string;
  kind: SpanKind;
  status: SpanStatus;
  /** Epoch ms (fractional). */
  startTime: number;
  endTime: number;
  sampled: boolean;
  traceFlags: number;
  traceState?: string;
  tags: Record<string, string>;
  data?: Record<string, unknown>;
  /** Errors recorded on the span (exporters with span events use them). */
  events?: { name: string; time: number; attributes: Record<string, string> }[];
  service?: string;
  environment?: string;
  release?: string;
  /**
   * The inbound request of a server span (path without query, scrubbed like other URLs), for
   * exporters that follow HTTP semantic conventions. The AllStak codec does not send it.
   */
  request?: RequestContext;
  /** Propagator-specific trace data carried from the inbound request; see `ExtractedContext.propagationData`. */
  propagationData?: Readonly<Record<string, string>>;
  /**
   * Span id of the local root (the first span of this trace in this process; equal to `spanId`
   * for the local root itself). Segment-based exporters (SkyWalking) group spans by it.
   */
  localRootSpanId?: string;
}

export interface HttpRequestRecord {
  direction: 'inbound' | 'outbound';
  method: string;
  host: string;
  /** Route template for inbound; path without query for outbound. */
  path: string;
  statusCode: number;
  durationMs: number;
  /** Epoch ms start time. */
  timestamp: number;
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  requestId?: string;
  requestSize?: number;
  responseSize?: number;
  userId?: string;
  errorFingerprint?: string;
  environment?: string;
  release?: string;
  service?: string;
  metadata?: Record<string, unknown>;
}

export interface DbQueryRecord {
  normalizedQuery: string;
  queryHash: string;
  queryType: string;
  durationMs: number;
  timestamp: number;
  status: 'success' | 'error';
  errorMessage?: string;
  databaseName?: string;
  databaseType?: string;
  service?: string;
  environment?: string;
  traceId?: string;
  spanId?: string;
  rowsAffected?: number;
}

export type SessionStatus = 'ok' | 'errored' | 'crashed' | 'abnormal';

export interface SessionStartRecord {
  sessionId: string;
  release: string;
  environment?: string;
  userId?: string;
  startedAt: number;
}

export interface SessionEndRecord {
  sessionId: string;
  durationMs: number;
  status: SessionStatus;
}

export interface CheckInRecord {
  slug: string;
  status: 'success' | 'failed';
  durationMs: number;
  message?: string;
  timestamp: number;
}

export interface ReleaseRecord {
  version: string;
  environment?: string;
}

/** Every kind of item the client hands to exporters, with its model type. */
export interface ItemKinds {
  error: ErrorEvent;
  log: LogRecord;
  span: SpanRecord;
  'http-request': HttpRequestRecord;
  db: DbQueryRecord;
  'session-start': SessionStartRecord;
  'session-end': SessionEndRecord;
  'check-in': CheckInRecord;
  release: ReleaseRecord;
}
export type ItemKind = keyof ItemKinds;

/** Capture hints for `captureException`. */
export interface EventHint {
  /** Marks how the error was caught: `middleware`, `onerror`, `uncaughtException`, ... */
  mechanism?: string;
  /** False for crashes; true (default) for errors the app or a framework caught. */
  handled?: boolean;
  level?: SeverityLevel;
  tags?: Record<string, string>;
  extra?: Record<string, unknown>;
  fingerprint?: string[];
  user?: User;
}
