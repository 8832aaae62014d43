import type {
  WireDbQuery,
  WireErrorEvent,
  WireHttpRequestRecord,
  WireLogRecord,
  WireSpan,
} from '@sightline/core/wire';

/** Shapes the JSON query API returns. Stored items keep their wire body plus an `id`. */

export type Stored<T> = T & { id: number; receivedAt: number };

export interface Counts {
  errors: number;
  logs: number;
  spans: number;
  httpRequests: number;
  db: number;
  sessions: number;
  heartbeats: number;
  releases: number;
  traces: number;
}

export interface TraceSummary {
  traceId: string;
  /** The root span's operation (`GET /users/:id`), or the earliest span's when the root is missing. */
  rootOperation: string;
  rootService: string | null;
  route: string | null;
  statusCode: number | null;
  /** `error` when any span of the trace failed. */
  status: 'ok' | 'error';
  start: number;
  durationMs: number;
  spanCount: number;
  errorCount: number;
  services: string[];
}

export interface TraceDetail {
  traceId: string;
  start: number | null;
  durationMs: number;
  services: string[];
  spans: Stored<WireSpan>[];
  errors: ErrorSummary[];
  logs: Stored<WireLogRecord>[];
  requests: Stored<WireHttpRequestRecord>[];
  queries: Stored<WireDbQuery>[];
}

export interface ErrorSummary {
  id: number;
  receivedAt: number;
  groupKey: string;
  exceptionClass: string;
  message: string;
  level: string;
  service: string | null;
  traceId: string | null;
  spanId: string | null;
  requestId: string | null;
  route: string | null;
  handled: boolean | null;
}

export interface ErrorGroup {
  groupKey: string;
  exceptionClass: string;
  /** The latest event's message. */
  message: string;
  level: string;
  count: number;
  firstSeen: number;
  lastSeen: number;
  lastId: number;
  services: string[];
  routes: string[];
}

export type ErrorDetail = Stored<WireErrorEvent> & {
  groupKey: string;
  groupCount: number;
  service: string | null;
};

export interface RouteStats {
  direction: string;
  method: string;
  route: string;
  service: string | null;
  count: number;
  /** Status 5xx or 0 (network failure). */
  errorCount: number;
  clientErrorCount: number;
  errorRate: number;
  avgMs: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  lastSeen: number;
}

export interface SessionRow {
  sessionId: string;
  status: string;
  release: string | null;
  environment: string | null;
  userId: string | null;
  startedAt: number | null;
  endedAt: number | null;
  durationMs: number | null;
}

export interface HeartbeatSlug {
  slug: string;
  total: number;
  success: number;
  failed: number;
  lastStatus: string;
  lastAt: number;
  lastDurationMs: number;
  lastMessage: string | null;
}
