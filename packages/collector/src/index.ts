/**
 * `@sightline/collector`: a local AllStak-compatible ingest server with an embedded SQLite
 * store, a JSON query API and a web UI, to see what the Sightline SDK sends without a backend.
 */
export { startCollector } from './server.js';
export type { Collector } from './server.js';
export type { CollectorOptions } from './options.js';
export type { Store } from './store/store.js';
export type { QueryFilter } from './store/filter.js';
export type {
  Counts,
  ErrorDetail,
  ErrorGroup,
  ErrorSummary,
  HeartbeatSlug,
  RouteStats,
  SessionRow,
  Stored,
  TraceDetail,
  TraceSummary,
} from './store/types.js';
