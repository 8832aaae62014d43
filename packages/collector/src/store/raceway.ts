import type { Sqlite } from './sqlite.js';

/**
 * Raceway events (`POST /events`), kept as received: the race report is computed from them on
 * demand with `@sightline/raceway/analysis`. An event re-sent after a lost answer is stored once
 * (its id is unique).
 */

type Event = Record<string, any>;

/** Writes events that passed `checkRacewayEvent`; returns how many were new. */
export function writeRacewayEvents(db: Sqlite, events: readonly Event[], now: number): number {
  let n = 0;
  for (const e of events) {
    const kind = Object.keys(e.kind)[0]!;
    const variable = kind === 'StateChange' ? String(e.kind.StateChange.variable) : null;
    n += db.run(
      `INSERT OR IGNORE INTO raceway_events (received_at, event_id, trace_id, thread_id, kind, variable, body)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
      [
        now,
        String(e.id),
        String(e.trace_id),
        String(e.metadata.thread_id),
        kind,
        variable,
        JSON.stringify(e),
      ],
    );
  }
  return n;
}

/** The most recent `limit` events, oldest first (the order they arrived in). */
export function listRacewayEvents(db: Sqlite, limit: number): unknown[] {
  return db
    .all('SELECT body FROM (SELECT id, body FROM raceway_events ORDER BY id DESC LIMIT ?) ORDER BY id', [
      limit,
    ])
    .map((r) => JSON.parse(String(r.body)) as unknown);
}
