import type { WireHttpRequestRecord, WireLogRecord } from '@sightline/core/wire';
import { type QueryFilter, Where, likeContains } from './filter.js';
import type { Sqlite } from './sqlite.js';
import { stored } from './traces.js';
import type { Counts, HeartbeatSlug, RouteStats, SessionRow, Stored } from './types.js';

/** Log records, newest first. */
export function listLogs(db: Sqlite, f: QueryFilter): Stored<WireLogRecord>[] {
  const w = new Where();
  if (f.level?.length) w.in('level', f.level);
  if (f.service) w.add('service = ?', f.service);
  if (f.traceId) w.add('trace_id = ?', f.traceId);
  if (f.requestId) w.add('request_id = ?', f.requestId);
  if (f.since !== undefined) w.add('ts >= ?', f.since);
  if (f.until !== undefined) w.add('ts <= ?', f.until);
  if (f.before !== undefined) w.add('id < ?', f.before);
  // The body holds the structured fields too, so `q` finds `orderId=42` as well as the message.
  if (f.q) w.add(`body LIKE ? ESCAPE '\\'`, likeContains(f.q));
  return db
    .all(`SELECT id, received_at, body FROM logs ${w} ORDER BY id DESC LIMIT ?`, [...w.params, f.limit])
    .map((r) => stored<WireLogRecord>(r));
}

function requestWhere(f: QueryFilter): Where {
  const w = new Where();
  if (f.direction) w.add('direction = ?', f.direction);
  if (f.route) w.add('path = ?', f.route);
  if (f.service) w.add('service = ?', f.service);
  if (f.traceId) w.add('trace_id = ?', f.traceId);
  if (f.requestId) w.add('request_id = ?', f.requestId);
  if (f.since !== undefined) w.add('ts >= ?', f.since);
  if (f.until !== undefined) w.add('ts <= ?', f.until);
  return w;
}

/** HTTP request records (inbound and outbound), newest first. */
export function listRequests(db: Sqlite, f: QueryFilter): Stored<WireHttpRequestRecord>[] {
  const w = requestWhere(f);
  if (f.before !== undefined) w.add('id < ?', f.before);
  return db
    .all(`SELECT id, received_at, body FROM http_requests ${w} ORDER BY id DESC LIMIT ?`, [
      ...w.params,
      f.limit,
    ])
    .map((r) => stored<WireHttpRequestRecord>(r));
}

/** Nearest-rank percentile of ascending `sorted`. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * Per route template (and method, direction, service): count, error rate and latency
 * percentiles. SQLite has no percentile function; retention bounds the rows read here.
 */
export function routeStats(db: Sqlite, f: QueryFilter): RouteStats[] {
  const w = requestWhere(f);
  const groups = new Map<string, { s: RouteStats; durations: number[] }>();
  for (const r of db.all(
    `SELECT direction, method, path, service, status_code, duration_ms, ts FROM http_requests ${w}`,
    w.params,
  )) {
    const key = `${r.direction} ${r.method} ${r.path} ${r.service ?? ''}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        s: {
          direction: r.direction as string,
          method: r.method as string,
          route: r.path as string,
          service: (r.service as string | null) ?? null,
          count: 0,
          errorCount: 0,
          clientErrorCount: 0,
          errorRate: 0,
          avgMs: 0,
          p50Ms: 0,
          p95Ms: 0,
          p99Ms: 0,
          lastSeen: 0,
        },
        durations: [],
      };
      groups.set(key, g);
    }
    const code = r.status_code as number;
    g.s.count++;
    if (code >= 500 || code === 0) g.s.errorCount++;
    else if (code >= 400) g.s.clientErrorCount++;
    g.durations.push(r.duration_ms as number);
    if ((r.ts as number) > g.s.lastSeen) g.s.lastSeen = r.ts as number;
  }
  const out: RouteStats[] = [];
  for (const { s, durations } of groups.values()) {
    durations.sort((a, b) => a - b);
    s.errorRate = s.errorCount / s.count;
    s.avgMs = Math.round((durations.reduce((a, b) => a + b, 0) / durations.length) * 10) / 10;
    s.p50Ms = percentile(durations, 50);
    s.p95Ms = percentile(durations, 95);
    s.p99Ms = percentile(durations, 99);
    out.push(s);
  }
  return out.sort((a, b) => b.count - a.count || a.route.localeCompare(b.route)).slice(0, f.limit);
}

/** Session counts by status (`open` until the end arrives) and the latest sessions. */
export function sessionStats(
  db: Sqlite,
  f: QueryFilter,
): { byStatus: Record<string, number>; recent: SessionRow[] } {
  const byStatus: Record<string, number> = { open: 0, ok: 0, errored: 0, crashed: 0, abnormal: 0 };
  for (const r of db.all('SELECT status, COUNT(*) AS n FROM sessions GROUP BY status')) {
    byStatus[r.status as string] = r.n as number;
  }
  const recent = db.all('SELECT * FROM sessions ORDER BY id DESC LIMIT ?', [f.limit]).map((r) => ({
    sessionId: r.session_id as string,
    status: r.status as string,
    release: (r.release as string | null) ?? null,
    environment: (r.environment as string | null) ?? null,
    userId: (r.user_id as string | null) ?? null,
    startedAt: (r.started_at as number | null) ?? null,
    endedAt: (r.ended_at as number | null) ?? null,
    durationMs: (r.duration_ms as number | null) ?? null,
  }));
  return { byStatus, recent };
}

/** Heartbeat (check-in) counts by status and per monitor slug. */
export function heartbeatStats(
  db: Sqlite,
  f: QueryFilter,
): { byStatus: Record<string, number>; slugs: HeartbeatSlug[] } {
  const byStatus: Record<string, number> = { success: 0, failed: 0 };
  for (const r of db.all('SELECT status, COUNT(*) AS n FROM heartbeats GROUP BY status')) {
    byStatus[r.status as string] = r.n as number;
  }
  const slugs = db
    .all(
      `SELECT h.slug, COUNT(*) AS total, SUM(h.status = 'success') AS success, SUM(h.status = 'failed') AS failed,
         MAX(h.id) AS last_id FROM heartbeats h GROUP BY h.slug ORDER BY last_id DESC LIMIT ?`,
      [f.limit],
    )
    .map((r) => {
      const last = db.get('SELECT status, received_at, duration_ms, message FROM heartbeats WHERE id = ?', [
        r.last_id as number,
      ]);
      return {
        slug: r.slug as string,
        total: r.total as number,
        success: (r.success as number) ?? 0,
        failed: (r.failed as number) ?? 0,
        lastStatus: (last?.status as string) ?? '',
        lastAt: (last?.received_at as number) ?? 0,
        lastDurationMs: (last?.duration_ms as number) ?? 0,
        lastMessage: (last?.message as string | null) ?? null,
      };
    });
  return { byStatus, slugs };
}

/** Row counts per kind, and the number of distinct traces. */
export function counts(db: Sqlite): Counts {
  const n = (sql: string) => (db.get(sql)?.n as number) ?? 0;
  return {
    errors: n('SELECT COUNT(*) AS n FROM errors'),
    logs: n('SELECT COUNT(*) AS n FROM logs'),
    spans: n('SELECT COUNT(*) AS n FROM spans'),
    httpRequests: n('SELECT COUNT(*) AS n FROM http_requests'),
    db: n('SELECT COUNT(*) AS n FROM db_queries'),
    sessions: n('SELECT COUNT(*) AS n FROM sessions'),
    heartbeats: n('SELECT COUNT(*) AS n FROM heartbeats'),
    releases: n('SELECT COUNT(*) AS n FROM releases'),
    traces: n('SELECT COUNT(DISTINCT trace_id) AS n FROM spans'),
  };
}

/** Every service name seen, for the UI's filters. */
export function services(db: Sqlite): string[] {
  return db
    .all(
      `SELECT service FROM spans WHERE service IS NOT NULL UNION SELECT service FROM logs WHERE service IS NOT NULL
       UNION SELECT service FROM http_requests WHERE service IS NOT NULL ORDER BY 1`,
    )
    .map((r) => r.service as string);
}
