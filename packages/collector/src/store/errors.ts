import type { WireErrorEvent } from '@sightline/core/wire';
import { type QueryFilter, Where, likeContains } from './filter.js';
import type { Row, Sqlite } from './sqlite.js';
import type { ErrorDetail, ErrorGroup, ErrorSummary } from './types.js';

// Error events carry no service; the span they happened in does.
const SERVICE = `COALESCE(e.service, (SELECT s.service FROM spans s WHERE s.span_id = e.span_id LIMIT 1))`;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function errorSummary(r: Row): ErrorSummary {
  return {
    id: r.id as number,
    receivedAt: r.received_at as number,
    groupKey: r.group_key as string,
    exceptionClass: r.exception_class as string,
    message: r.message as string,
    level: r.level as string,
    service: str(r.resolved_service),
    traceId: str(r.trace_id),
    spanId: str(r.span_id),
    requestId: str(r.request_id),
    route: str(r.route),
    handled: r.handled === null || r.handled === undefined ? null : r.handled === 1,
  };
}

function errorWhere(f: QueryFilter): Where {
  const w = new Where();
  if (f.group) w.add('e.group_key = ?', f.group);
  if (f.traceId) w.add('e.trace_id = ?', f.traceId);
  if (f.requestId) w.add('e.request_id = ?', f.requestId);
  if (f.route) w.add('e.route = ?', f.route);
  if (f.level?.length) w.in('e.level', f.level);
  if (f.since !== undefined) w.add('e.ts >= ?', f.since);
  if (f.until !== undefined) w.add('e.ts <= ?', f.until);
  if (f.before !== undefined) w.add('e.id < ?', f.before);
  if (f.q)
    w.add(
      `(e.message LIKE ? ESCAPE '\\' OR e.exception_class LIKE ? ESCAPE '\\')`,
      likeContains(f.q),
      likeContains(f.q),
    );
  if (f.service) w.add(`${SERVICE} = ?`, f.service);
  return w;
}

/** Error events, newest first. */
export function listErrors(db: Sqlite, f: QueryFilter): ErrorSummary[] {
  const w = errorWhere(f);
  return db
    .all(`SELECT e.*, ${SERVICE} AS resolved_service FROM errors e ${w} ORDER BY e.id DESC LIMIT ?`, [
      ...w.params,
      f.limit,
    ])
    .map(errorSummary);
}

/** Groups by fingerprint (see `groupKey`), most recently seen first. */
export function listErrorGroups(db: Sqlite, f: QueryFilter): ErrorGroup[] {
  const w = errorWhere({ ...f, before: undefined });
  const rows = db.all(
    `SELECT e.group_key, COUNT(*) AS n, MIN(e.ts) AS first_seen, MAX(e.ts) AS last_seen, MAX(e.id) AS last_id,
       GROUP_CONCAT(DISTINCT e.route) AS routes, GROUP_CONCAT(DISTINCT ${SERVICE}) AS services
     FROM errors e ${w} GROUP BY e.group_key ORDER BY last_id DESC LIMIT ?`,
    [...w.params, f.limit],
  );
  if (rows.length === 0) return [];
  const latest = new Map<number, Row>();
  const ids = rows.map((r) => r.last_id as number);
  for (const r of db.all(
    `SELECT id, exception_class, message, level FROM errors WHERE id IN (${ids.map(() => '?').join(', ')})`,
    ids,
  )) {
    latest.set(r.id as number, r);
  }
  const list = (v: unknown) => (typeof v === 'string' && v !== '' ? [...new Set(v.split(','))].sort() : []);
  return rows.map((r) => {
    const last = latest.get(r.last_id as number);
    return {
      groupKey: r.group_key as string,
      exceptionClass: (last?.exception_class as string) ?? '',
      message: (last?.message as string) ?? '',
      level: (last?.level as string) ?? 'error',
      count: r.n as number,
      firstSeen: r.first_seen as number,
      lastSeen: r.last_seen as number,
      lastId: r.last_id as number,
      services: list(r.services),
      routes: list(r.routes),
    };
  });
}

/** One full event, with its group's size. */
export function getError(db: Sqlite, id: number): ErrorDetail | undefined {
  const r = db.get(`SELECT e.*, ${SERVICE} AS resolved_service FROM errors e WHERE e.id = ?`, [id]);
  if (!r) return undefined;
  const count = db.get('SELECT COUNT(*) AS n FROM errors WHERE group_key = ?', [r.group_key as string]);
  return {
    ...(JSON.parse(r.body as string) as WireErrorEvent),
    id,
    receivedAt: r.received_at as number,
    groupKey: r.group_key as string,
    groupCount: (count?.n as number) ?? 1,
    service: str(r.resolved_service),
  };
}
