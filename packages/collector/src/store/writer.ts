import type {
  AllStakEndpoint,
  WireBodies,
  WireDbBody,
  WireErrorEvent,
  WireHeartbeat,
  WireHttpRequestsBody,
  WireLogRecord,
  WireRelease,
  WireSessionEnd,
  WireSessionStart,
  WireSpansBody,
} from '@sightline/core/wire';
import { groupKey } from './group.js';
import type { Table } from './schema.js';
import type { Sqlite, SqlValue } from './sqlite.js';

/** Where each endpoint's items go. */
export const TABLE_FOR: Record<AllStakEndpoint, Table> = {
  errors: 'errors',
  logs: 'logs',
  spans: 'spans',
  httpRequests: 'http_requests',
  db: 'db_queries',
  sessionStart: 'sessions',
  sessionEnd: 'sessions',
  heartbeat: 'heartbeats',
  releases: 'releases',
};

const opt = (v: string | undefined): SqlValue => (v === undefined || v === '' ? null : v);
const isoMs = (v: string | undefined, fallback: number): number => {
  const t = v === undefined ? Number.NaN : Date.parse(v);
  return Number.isNaN(t) ? fallback : t;
};

/**
 * Writes one validated body. The caller has run `validateWireBody`, so the shapes below hold;
 * the few fields read beyond the wire types (`service` on error events) are checked here.
 * Returns how many items were stored.
 */
export function writeBody<E extends AllStakEndpoint>(
  db: Sqlite,
  endpoint: E,
  body: WireBodies[E],
  now: number,
): number {
  switch (endpoint) {
    case 'errors':
      return writeError(db, body as WireErrorEvent, now);
    case 'logs':
      return writeLog(db, body as WireLogRecord, now);
    case 'spans':
      return writeSpans(db, body as WireSpansBody, now);
    case 'httpRequests':
      return writeHttp(db, body as WireHttpRequestsBody, now);
    case 'db':
      return writeDb(db, body as WireDbBody, now);
    case 'sessionStart':
      return writeSessionStart(db, body as WireSessionStart, now);
    case 'sessionEnd':
      return writeSessionEnd(db, body as WireSessionEnd, now);
    case 'heartbeat':
      return writeHeartbeat(db, body as WireHeartbeat, now);
    case 'releases':
      return writeRelease(db, body as WireRelease, now);
    default:
      return 0;
  }
}

function writeError(db: Sqlite, e: WireErrorEvent, now: number): number {
  // Error events carry no service on the wire; another SDK's extra field is used when present,
  // else the query side takes it from the span the error happened in.
  const service = (e as { service?: unknown }).service;
  const handled = e.metadata?.handled;
  db.run(
    `INSERT INTO errors (received_at, ts, group_key, exception_class, message, level, service, environment,
       release, trace_id, span_id, request_id, route, user_id, handled, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      now,
      now,
      groupKey(e),
      e.exceptionClass,
      e.message,
      e.level ?? 'error',
      typeof service === 'string' && service !== '' ? service : null,
      opt(e.environment),
      opt(e.release),
      opt(e.traceId),
      opt(e.spanId),
      opt(e.requestId),
      opt(e.requestContext?.route ?? e.requestContext?.path),
      opt(e.user?.id),
      typeof handled === 'boolean' ? Number(handled) : null,
      JSON.stringify(e),
    ],
  );
  return 1;
}

function writeLog(db: Sqlite, l: WireLogRecord, now: number): number {
  db.run(
    `INSERT INTO logs (received_at, ts, level, message, service, trace_id, span_id, request_id, user_id, body)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      now,
      isoMs(l.timestamp, now),
      l.level,
      l.message,
      opt(l.service),
      opt(l.traceId),
      opt(l.spanId),
      opt(l.requestId),
      opt(l.userId),
      JSON.stringify(l),
    ],
  );
  return 1;
}

function writeSpans(db: Sqlite, b: WireSpansBody, now: number): number {
  for (const s of b.spans) {
    const tags = s.tags ?? {};
    const code = Number.parseInt(tags['http.status_code'] ?? '', 10);
    db.run(
      `INSERT INTO spans (received_at, ts, trace_id, span_id, parent_span_id, operation, description, status,
         service, kind, route, status_code, duration_ms, end_ms, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        now,
        s.startTimeMillis,
        s.traceId,
        s.spanId,
        s.parentSpanId ?? '',
        s.operation,
        opt(s.description),
        opt(s.status),
        opt(s.service),
        opt(tags['span.kind']),
        opt(tags['http.route']),
        Number.isNaN(code) ? null : code,
        s.durationMs,
        s.endTimeMillis,
        JSON.stringify(s),
      ],
    );
  }
  return b.spans.length;
}

function writeHttp(db: Sqlite, b: WireHttpRequestsBody, now: number): number {
  for (const r of b.requests) {
    db.run(
      `INSERT INTO http_requests (received_at, ts, direction, method, host, path, status_code, duration_ms,
         service, trace_id, span_id, request_id, user_id, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        now,
        isoMs(r.timestamp, now),
        r.direction,
        r.method,
        r.host,
        r.path,
        r.statusCode,
        r.durationMs,
        opt(r.service),
        opt(r.traceId),
        opt(r.spanId),
        opt(r.requestId),
        opt(r.userId),
        JSON.stringify(r),
      ],
    );
  }
  return b.requests.length;
}

function writeDb(db: Sqlite, b: WireDbBody, now: number): number {
  for (const q of b.queries) {
    db.run(
      `INSERT INTO db_queries (received_at, ts, query_hash, query_type, normalized_query, duration_ms, status,
         service, trace_id, span_id, body)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        now,
        q.timestampMillis,
        q.queryHash,
        q.queryType,
        q.normalizedQuery,
        q.durationMs,
        q.status,
        opt(q.service),
        opt(q.traceId),
        opt(q.spanId),
        JSON.stringify(q),
      ],
    );
  }
  return b.queries.length;
}

function writeSessionStart(db: Sqlite, s: WireSessionStart, now: number): number {
  // The end may arrive first (sessions/start and sessions/end travel in separate queues): then
  // the start only fills in what the end lacked and never reopens the session.
  db.run(
    `INSERT INTO sessions (received_at, session_id, status, release, environment, user_id, started_at)
     VALUES (?, ?, 'open', ?, ?, ?, ?)
     ON CONFLICT(session_id) DO UPDATE SET release = excluded.release, environment = excluded.environment,
       user_id = excluded.user_id, started_at = excluded.started_at`,
    [now, s.sessionId, s.release, opt(s.environment), opt(s.userId), now],
  );
  return 1;
}

function writeSessionEnd(db: Sqlite, s: WireSessionEnd, now: number): number {
  db.run(
    `INSERT INTO sessions (received_at, session_id, status, ended_at, duration_ms)
     VALUES (?, ?, ?, ?, ?)
     ON CONFLICT(session_id) DO UPDATE SET status = excluded.status, ended_at = excluded.ended_at,
       duration_ms = excluded.duration_ms, received_at = excluded.received_at`,
    [now, s.sessionId, s.status, now, s.durationMs],
  );
  return 1;
}

function writeHeartbeat(db: Sqlite, h: WireHeartbeat, now: number): number {
  db.run('INSERT INTO heartbeats (received_at, slug, status, duration_ms, message) VALUES (?, ?, ?, ?, ?)', [
    now,
    h.slug,
    h.status,
    h.durationMs,
    opt(h.message),
  ]);
  return 1;
}

function writeRelease(db: Sqlite, r: WireRelease, now: number): number {
  db.run(
    `INSERT INTO releases (received_at, version, environment) VALUES (?, ?, ?)
     ON CONFLICT(version, environment) DO UPDATE SET received_at = excluded.received_at`,
    [now, r.version, r.environment ?? ''],
  );
  return 1;
}
