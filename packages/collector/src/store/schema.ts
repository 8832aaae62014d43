/**
 * Tables: one per ingest kind. Columns hold what the UI filters, groups and joins on; `body`
 * keeps the whole received JSON so nothing sent is lost. `received_at` (epoch ms) drives
 * retention; `ts` is the item's own time where the wire carries one.
 * Indexes cover the lookups the query API offers: trace id, request id, route, level, time.
 */
export const SCHEMA_VERSION = 1;

export const TABLES = [
  'errors',
  'logs',
  'spans',
  'http_requests',
  'db_queries',
  'sessions',
  'heartbeats',
  'releases',
  'raceway_events',
] as const;
export type Table = (typeof TABLES)[number];

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);

CREATE TABLE IF NOT EXISTS errors (
  id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, ts INTEGER NOT NULL,
  group_key TEXT NOT NULL, exception_class TEXT NOT NULL, message TEXT NOT NULL, level TEXT NOT NULL,
  service TEXT, environment TEXT, release TEXT, trace_id TEXT, span_id TEXT, request_id TEXT,
  route TEXT, user_id TEXT, handled INTEGER, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS errors_trace ON errors(trace_id);
CREATE INDEX IF NOT EXISTS errors_request ON errors(request_id);
CREATE INDEX IF NOT EXISTS errors_group ON errors(group_key, id);
CREATE INDEX IF NOT EXISTS errors_level ON errors(level, id);
CREATE INDEX IF NOT EXISTS errors_route ON errors(route);
CREATE INDEX IF NOT EXISTS errors_time ON errors(ts);
CREATE INDEX IF NOT EXISTS errors_received ON errors(received_at);

CREATE TABLE IF NOT EXISTS logs (
  id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, ts INTEGER NOT NULL,
  level TEXT NOT NULL, message TEXT NOT NULL, service TEXT,
  trace_id TEXT, span_id TEXT, request_id TEXT, user_id TEXT, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS logs_trace ON logs(trace_id);
CREATE INDEX IF NOT EXISTS logs_request ON logs(request_id);
CREATE INDEX IF NOT EXISTS logs_level ON logs(level, id);
CREATE INDEX IF NOT EXISTS logs_service ON logs(service, id);
CREATE INDEX IF NOT EXISTS logs_time ON logs(ts);
CREATE INDEX IF NOT EXISTS logs_received ON logs(received_at);

CREATE TABLE IF NOT EXISTS spans (
  id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, ts INTEGER NOT NULL,
  trace_id TEXT NOT NULL, span_id TEXT NOT NULL, parent_span_id TEXT NOT NULL,
  operation TEXT NOT NULL, description TEXT, status TEXT, service TEXT, kind TEXT, route TEXT,
  status_code INTEGER, duration_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS spans_trace ON spans(trace_id);
CREATE INDEX IF NOT EXISTS spans_span ON spans(span_id);
CREATE INDEX IF NOT EXISTS spans_route ON spans(route);
CREATE INDEX IF NOT EXISTS spans_time ON spans(ts);
CREATE INDEX IF NOT EXISTS spans_received ON spans(received_at);

CREATE TABLE IF NOT EXISTS http_requests (
  id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, ts INTEGER NOT NULL,
  direction TEXT NOT NULL, method TEXT NOT NULL, host TEXT NOT NULL, path TEXT NOT NULL,
  status_code INTEGER NOT NULL, duration_ms INTEGER NOT NULL, service TEXT,
  trace_id TEXT, span_id TEXT, request_id TEXT, user_id TEXT, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS http_trace ON http_requests(trace_id);
CREATE INDEX IF NOT EXISTS http_request ON http_requests(request_id);
CREATE INDEX IF NOT EXISTS http_route ON http_requests(path, method);
CREATE INDEX IF NOT EXISTS http_time ON http_requests(ts);
CREATE INDEX IF NOT EXISTS http_received ON http_requests(received_at);

CREATE TABLE IF NOT EXISTS db_queries (
  id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, ts INTEGER NOT NULL,
  query_hash TEXT NOT NULL, query_type TEXT NOT NULL, normalized_query TEXT NOT NULL,
  duration_ms INTEGER NOT NULL, status TEXT NOT NULL, service TEXT, trace_id TEXT, span_id TEXT,
  body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS db_trace ON db_queries(trace_id);
CREATE INDEX IF NOT EXISTS db_hash ON db_queries(query_hash);
CREATE INDEX IF NOT EXISTS db_received ON db_queries(received_at);

CREATE TABLE IF NOT EXISTS sessions (
  id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, session_id TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL, release TEXT, environment TEXT, user_id TEXT,
  started_at INTEGER, ended_at INTEGER, duration_ms INTEGER);
CREATE INDEX IF NOT EXISTS sessions_status ON sessions(status);
CREATE INDEX IF NOT EXISTS sessions_received ON sessions(received_at);

CREATE TABLE IF NOT EXISTS heartbeats (
  id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, slug TEXT NOT NULL, status TEXT NOT NULL,
  duration_ms INTEGER NOT NULL, message TEXT);
CREATE INDEX IF NOT EXISTS heartbeats_slug ON heartbeats(slug, id);
CREATE INDEX IF NOT EXISTS heartbeats_received ON heartbeats(received_at);

CREATE TABLE IF NOT EXISTS releases (
  id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, version TEXT NOT NULL, environment TEXT NOT NULL,
  UNIQUE (version, environment));
CREATE INDEX IF NOT EXISTS releases_received ON releases(received_at);

CREATE TABLE IF NOT EXISTS raceway_events (
  id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, event_id TEXT NOT NULL UNIQUE,
  trace_id TEXT NOT NULL, thread_id TEXT NOT NULL, kind TEXT NOT NULL, variable TEXT, body TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS raceway_trace ON raceway_events(trace_id);
CREATE INDEX IF NOT EXISTS raceway_variable ON raceway_events(variable);
CREATE INDEX IF NOT EXISTS raceway_received ON raceway_events(received_at);
`;
