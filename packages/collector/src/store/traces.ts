import type { WireDbQuery, WireHttpRequestRecord, WireLogRecord, WireSpan } from '@sightline/core/wire';
import { errorSummary } from './errors.js';
import { type QueryFilter, Where } from './filter.js';
import type { Row, Sqlite } from './sqlite.js';
import type { Stored, TraceDetail, TraceSummary } from './types.js';

/** `body` JSON plus the row's id and receive time. */
export function stored<T>(r: Row): Stored<T> {
  return { ...(JSON.parse(r.body as string) as T), id: r.id as number, receivedAt: r.received_at as number };
}

const splitList = (v: unknown): string[] =>
  typeof v === 'string' && v !== '' ? [...new Set(v.split(','))].sort() : [];

/**
 * Traces, latest start first, from their spans. A trace's root is the span with no parent, or whose
 * parent never arrived (an upstream service that is not instrumented, or not sent yet).
 */
export function listTraces(db: Sqlite, f: QueryFilter): TraceSummary[] {
  const w = new Where();
  if (f.traceId) w.add('trace_id = ?', f.traceId);
  if (f.route) w.add('trace_id IN (SELECT trace_id FROM spans WHERE route = ?)', f.route);
  if (f.service) w.add('trace_id IN (SELECT trace_id FROM spans WHERE service = ?)', f.service);
  if (f.since !== undefined) w.add('ts >= ?', f.since);
  if (f.until !== undefined) w.add('ts <= ?', f.until);
  const having = f.status === 'error' ? 'HAVING errs > 0' : f.status === 'ok' ? 'HAVING errs = 0' : '';
  const rows = db.all(
    `SELECT trace_id, MIN(ts) AS start, MAX(end_ms) AS end_ms, COUNT(*) AS n,
       SUM(status = 'error') AS errs, GROUP_CONCAT(DISTINCT service) AS services, MAX(id) AS last_id
     FROM spans ${w} GROUP BY trace_id ${having} ORDER BY start DESC, last_id DESC LIMIT ?`,
    [...w.params, f.limit],
  );
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.trace_id as string);
  const marks = ids.map(() => '?').join(', ');
  const roots = new Map<string, Row>();
  for (const r of db.all(
    `SELECT trace_id, operation, service, route, status_code FROM spans s
     WHERE trace_id IN (${marks})
       AND (parent_span_id = '' OR NOT EXISTS (
         SELECT 1 FROM spans p WHERE p.trace_id = s.trace_id AND p.span_id = s.parent_span_id))
     ORDER BY ts ASC, id ASC`,
    ids,
  )) {
    if (!roots.has(r.trace_id as string)) roots.set(r.trace_id as string, r);
  }
  const errorCounts = new Map<string, number>();
  for (const r of db.all(
    `SELECT trace_id, COUNT(*) AS n FROM errors WHERE trace_id IN (${marks}) GROUP BY trace_id`,
    ids,
  )) {
    errorCounts.set(r.trace_id as string, r.n as number);
  }
  return rows.map((r) => {
    const id = r.trace_id as string;
    const root = roots.get(id);
    const errorCount = errorCounts.get(id) ?? 0;
    return {
      traceId: id,
      rootOperation: (root?.operation as string | undefined) ?? '(unknown)',
      rootService: (root?.service as string | null | undefined) ?? null,
      route: (root?.route as string | null | undefined) ?? null,
      statusCode: (root?.status_code as number | null | undefined) ?? null,
      status: (r.errs as number) > 0 ? 'error' : 'ok',
      start: r.start as number,
      durationMs: (r.end_ms as number) - (r.start as number),
      spanCount: r.n as number,
      errorCount,
      services: splitList(r.services),
    };
  });
}

/** Everything recorded for one trace, across services. */
export function getTrace(db: Sqlite, traceId: string): TraceDetail {
  const id = traceId.toLowerCase();
  const spans = db
    .all('SELECT id, received_at, body FROM spans WHERE trace_id = ? ORDER BY ts ASC, id ASC', [id])
    .map((r) => stored<WireSpan>(r));
  const errors = db
    .all(
      `SELECT e.*, COALESCE(e.service, (SELECT s.service FROM spans s WHERE s.span_id = e.span_id LIMIT 1))
         AS resolved_service FROM errors e WHERE trace_id = ? ORDER BY id ASC`,
      [id],
    )
    .map(errorSummary);
  const logs = db
    .all('SELECT id, received_at, body FROM logs WHERE trace_id = ? ORDER BY ts ASC, id ASC', [id])
    .map((r) => stored<WireLogRecord>(r));
  const requests = db
    .all('SELECT id, received_at, body FROM http_requests WHERE trace_id = ? ORDER BY ts ASC, id ASC', [id])
    .map((r) => stored<WireHttpRequestRecord>(r));
  const queries = db
    .all('SELECT id, received_at, body FROM db_queries WHERE trace_id = ? ORDER BY ts ASC, id ASC', [id])
    .map((r) => stored<WireDbQuery>(r));
  let start: number | null = null;
  let end = 0;
  const services = new Set<string>();
  for (const s of spans) {
    if (start === null || s.startTimeMillis < start) start = s.startTimeMillis;
    if (s.endTimeMillis > end) end = s.endTimeMillis;
    if (s.service) services.add(s.service);
  }
  for (const l of logs) if (l.service) services.add(l.service);
  for (const r of requests) if (r.service) services.add(r.service);
  return {
    traceId: id,
    start,
    durationMs: start === null ? 0 : end - start,
    services: [...services].sort(),
    spans,
    errors,
    logs,
    requests,
    queries,
  };
}
