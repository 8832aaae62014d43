import type { AllStakEndpoint, WireBodies } from '@sightline/core/wire';
import { type RaceReport, analyzeRaces } from '@sightline/raceway/analysis';
import { getError, listErrorGroups, listErrors } from './errors.js';
import type { QueryFilter } from './filter.js';
import {
  counts,
  heartbeatStats,
  listLogs,
  listRequests,
  routeStats,
  services,
  sessionStats,
} from './records.js';
import { listRacewayEvents, writeRacewayEvents } from './raceway.js';
import { SCHEMA, SCHEMA_VERSION, TABLES, type Table } from './schema.js';
import { Sqlite } from './sqlite.js';
import { getTrace, listTraces } from './traces.js';
import { TABLE_FOR, writeBody } from './writer.js';

export interface StoreOptions {
  db: string;
  maxRowsPerKind: number;
  maxAgeMs: number;
  persistDelayMs: number;
  onWarning: (message: string) => void;
}

const DEFAULT_FILTER: QueryFilter = { limit: 100 };

/**
 * The collector's embedded store: writes validated ingest bodies, keeps each kind within
 * `maxRowsPerKind` rows and `maxAgeMs`, and answers the query API.
 * @example
 * const store = await Store.open({ db: ':memory:', maxRowsPerKind: 1000, maxAgeMs: 3_600_000, persistDelayMs: 0, onWarning: console.warn });
 * store.ingest('logs', { level: 'info', message: 'hi' });
 */
export class Store {
  private readonly timer: NodeJS.Timeout;

  private constructor(
    readonly db: Sqlite,
    private readonly options: StoreOptions,
  ) {
    this.pruneByAge();
    // Age-based retention also runs while no traffic arrives.
    this.timer = setInterval(
      () => this.pruneByAge(),
      Math.min(60_000, Math.max(1000, options.maxAgeMs / 10)),
    );
    this.timer.unref();
  }

  static async open(options: StoreOptions): Promise<Store> {
    const db = await Sqlite.open(options.db, options.persistDelayMs, options.onWarning);
    db.exec(SCHEMA);
    const v = db.get("SELECT value FROM meta WHERE key = 'schema'")?.value;
    if (v !== undefined && Number(v) > SCHEMA_VERSION) {
      options.onWarning(`${options.db} was written by a newer collector (schema ${v}); reading it anyway`);
    }
    db.transaction(() =>
      db.run("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', ?)", [String(SCHEMA_VERSION)]),
    );
    return new Store(db, options);
  }

  /** Stores one validated body; returns the number of items written. */
  ingest<E extends AllStakEndpoint>(endpoint: E, body: WireBodies[E], now = Date.now()): number {
    const table = TABLE_FOR[endpoint];
    return this.db.transaction(() => {
      const n = writeBody(this.db, endpoint, body, now);
      this.pruneByCount(table);
      return n;
    });
  }

  /** Stores Raceway events that passed `checkRacewayEvent`; returns how many were new. */
  ingestRaceway(events: readonly Record<string, unknown>[], now = Date.now()): number {
    return this.db.transaction(() => {
      const n = writeRacewayEvents(this.db, events, now);
      this.pruneByCount('raceway_events');
      return n;
    });
  }

  private pruneByCount(table: Table): void {
    // Ids only grow and only the oldest rows are deleted, so the newest `max` rows are the ids
    // above `MAX(id) - max`: one indexed range delete, no count.
    this.db.run(`DELETE FROM ${table} WHERE id <= (SELECT MAX(id) FROM ${table}) - ?`, [
      this.options.maxRowsPerKind,
    ]);
  }

  /** Deletes rows received more than `maxAgeMs` ago; returns how many. */
  pruneByAge(now = Date.now()): number {
    const cutoff = now - this.options.maxAgeMs;
    let n = 0;
    for (const t of TABLES) {
      if (this.db.get(`SELECT 1 AS x FROM ${t} WHERE received_at < ? LIMIT 1`, [cutoff])) {
        n += this.db.transaction(() => this.db.run(`DELETE FROM ${t} WHERE received_at < ?`, [cutoff]));
      }
    }
    return n;
  }

  counts = () => counts(this.db);
  services = () => services(this.db);
  traces = (f: QueryFilter = DEFAULT_FILTER) => listTraces(this.db, f);
  trace = (traceId: string) => getTrace(this.db, traceId);
  errors = (f: QueryFilter = DEFAULT_FILTER) => listErrors(this.db, f);
  errorGroups = (f: QueryFilter = DEFAULT_FILTER) => listErrorGroups(this.db, f);
  error = (id: number) => getError(this.db, id);
  logs = (f: QueryFilter = DEFAULT_FILTER) => listLogs(this.db, f);
  requests = (f: QueryFilter = DEFAULT_FILTER) => listRequests(this.db, f);
  routes = (f: QueryFilter = DEFAULT_FILTER) => routeStats(this.db, f);
  sessions = (f: QueryFilter = DEFAULT_FILTER) => sessionStats(this.db, f);
  heartbeats = (f: QueryFilter = DEFAULT_FILTER) => heartbeatStats(this.db, f);
  /** Stored Raceway events, oldest first (at most `maxRowsPerKind` are kept). */
  racewayEvents = (limit = this.options.maxRowsPerKind) => listRacewayEvents(this.db, limit);
  /** The race report over every stored Raceway event. */
  races = (): RaceReport => analyzeRaces(this.racewayEvents());

  /** Writes the database file now (no-op in memory). */
  persist(): Promise<void> {
    return this.db.persist();
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.db.close();
  }
}
