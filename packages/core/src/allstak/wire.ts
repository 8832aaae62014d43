/**
 * AllStak ingest wire types: the JSON bodies Sightline POSTs, one interface per body in
 * PROTOCOL.md. Field names follow the Go SDK, whose models mirror the backend DTOs.
 *
 * Optional fields are left out of the JSON rather than sent as `null`. Extra fields are tolerated
 * by the backend (and by `validateWireBody`), so adding one is forward-compatible.
 */

/** Ingest paths, relative to the host. */
export const ALLSTAK_ENDPOINTS = {
  errors: '/ingest/v1/errors',
  logs: '/ingest/v1/logs',
  spans: '/ingest/v1/spans',
  httpRequests: '/ingest/v1/http-requests',
  db: '/ingest/v1/db',
  sessionStart: '/ingest/v1/sessions/start',
  sessionEnd: '/ingest/v1/sessions/end',
  heartbeat: '/ingest/v1/heartbeat',
  releases: '/ingest/v1/releases',
} as const;

export type AllStakEndpoint = keyof typeof ALLSTAK_ENDPOINTS;

export type WireErrorLevel = 'fatal' | 'error' | 'warning' | 'info' | 'debug';
export type WireLogLevel = 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export type WireBreadcrumbLevel = 'debug' | 'info' | 'warn' | 'error';
export type WireSessionStatus = 'ok' | 'errored' | 'crashed' | 'abnormal';

/**
 * Error-event metadata is flat: values are scalars only. Structured extras/contexts are
 * JSON-encoded into a string by the codec before they get here.
 */
export type WireFlatMetadata = Record<string, string | number | boolean | null>;

/** One stack frame, innermost last in `WireErrorEvent.frames`. */
export interface WireFrame {
  filename: string;
  absPath: string;
  function: string;
  /** Absent for frames without a position (e.g. `at new Promise (<anonymous>)`). */
  lineno?: number;
  colno?: number;
  inApp: boolean;
  platform: string;
  contextLine?: string;
  preContext?: string[];
  postContext?: string[];
}

export interface WireBreadcrumb {
  /** ISO 8601. */
  timestamp: string;
  type: string;
  category?: string;
  message: string;
  level: WireBreadcrumbLevel;
  data?: Record<string, unknown>;
}

export interface WireUser {
  id?: string;
  email?: string;
  ip?: string;
}

export interface WireRequestContext {
  method?: string;
  path?: string;
  host?: string;
  route?: string;
  statusCode?: number;
  userAgent?: string;
}

/** Body of `POST /ingest/v1/errors` (one event per request). */
export interface WireErrorEvent {
  /** `Message` for captured messages. */
  exceptionClass: string;
  message: string;
  /** One `    at fn (file:line:col)` per frame, no header line. */
  stackTrace?: string[];
  frames?: WireFrame[];
  level?: WireErrorLevel;
  environment?: string;
  release?: string;
  dist?: string;
  platform?: string;
  sdkName?: string;
  sdkVersion?: string;
  sessionId?: string;
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  requestId?: string;
  user?: WireUser;
  requestContext?: WireRequestContext;
  breadcrumbs?: WireBreadcrumb[];
  fingerprint?: string[];
  /** Tags and extras as plain keys, `context.<name>`, `cause.<n>.*`, `mechanism`, `handled`. */
  metadata?: WireFlatMetadata;
}

/** Body of `POST /ingest/v1/logs` (one record per request). */
export interface WireLogRecord {
  level: WireLogLevel;
  message: string;
  /** Sightline extra (ISO 8601); not in the Go DTO, ignored by backends that don't know it. */
  timestamp?: string;
  service?: string;
  environment?: string;
  release?: string;
  traceId?: string;
  spanId?: string;
  requestId?: string;
  userId?: string;
  /** Structured fields of the record (may nest); `error.type`/`error.message`/`error.stackTrace`. */
  metadata?: Record<string, unknown>;
}

export interface WireSpan {
  /** 32 lowercase hex, not all zeros. */
  traceId: string;
  /** 16 lowercase hex, not all zeros. */
  spanId: string;
  /** `''` for a root span. */
  parentSpanId?: string;
  operation: string;
  description?: string;
  status?: 'ok' | 'error';
  /** Integer milliseconds. */
  durationMs: number;
  /** Epoch ms (integer). */
  startTimeMillis: number;
  endTimeMillis: number;
  service?: string;
  environment?: string;
  release?: string;
  tags?: Record<string, string>;
  /** A JSON-encoded string, never an object. */
  data?: string;
}

/** Body of `POST /ingest/v1/spans`. */
export interface WireSpansBody {
  spans: WireSpan[];
}

export interface WireHttpRequestRecord {
  direction: 'inbound' | 'outbound';
  method: string;
  host: string;
  /** Route template for inbound; never a query string. */
  path: string;
  /** 0 for a network failure. */
  statusCode: number;
  durationMs: number;
  /** ISO 8601 start time. */
  timestamp: string;
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

/** Body of `POST /ingest/v1/http-requests`. */
export interface WireHttpRequestsBody {
  requests: WireHttpRequestRecord[];
}

export interface WireDbQuery {
  normalizedQuery: string;
  /** Lowercase hex of a documented hash of `normalizedQuery`. */
  queryHash: string;
  /** `SELECT|INSERT|UPDATE|DELETE|…|OTHER` (upper case). */
  queryType: string;
  durationMs: number;
  timestampMillis: number;
  status: 'success' | 'error';
  /** At most 500 characters. */
  errorMessage?: string;
  databaseName?: string;
  databaseType?: string;
  service?: string;
  environment?: string;
  traceId?: string;
  spanId?: string;
  /** -1 when unknown. */
  rowsAffected?: number;
}

/** Body of `POST /ingest/v1/db`. */
export interface WireDbBody {
  queries: WireDbQuery[];
}

/** Body of `POST /ingest/v1/sessions/start`. */
export interface WireSessionStart {
  sessionId: string;
  release: string;
  environment?: string;
  userId?: string;
  sdkName: string;
  sdkVersion: string;
  platform: string;
}

/** Body of `POST /ingest/v1/sessions/end`. */
export interface WireSessionEnd {
  sessionId: string;
  durationMs: number;
  status: WireSessionStatus;
}

/** Body of `POST /ingest/v1/heartbeat`. */
export interface WireHeartbeat {
  slug: string;
  /** As in the Go SDK: `success | failed`. */
  status: 'success' | 'failed';
  durationMs: number;
  message?: string;
}

/** Body of `POST /ingest/v1/releases`. */
export interface WireRelease {
  version: string;
  environment?: string;
}

/** The body type each endpoint takes. */
export interface WireBodies {
  errors: WireErrorEvent;
  logs: WireLogRecord;
  spans: WireSpansBody;
  httpRequests: WireHttpRequestsBody;
  db: WireDbBody;
  sessionStart: WireSessionStart;
  sessionEnd: WireSessionEnd;
  heartbeat: WireHeartbeat;
  releases: WireRelease;
}
