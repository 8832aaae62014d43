import { readFile } from 'node:fs/promises';
import { type RaceReport, analyzeRaces, formatRaceReport } from '@sightline/raceway/analysis';

/** `sightline-collector races`: where the events are read from. */
export interface RacesCommand {
  /** A running collector (`GET <url>/api/races`). */
  url: string | undefined;
  /** A collector database file, read without changing it. */
  db: string;
  json: boolean;
}

export interface RacesIo {
  out(text: string): void;
  err(text: string): void;
}

// A variable specifier keeps TypeScript from wanting sql.js typings (the package ships none).
const SQL_JS = 'sql.js';

interface ReadOnlyDb {
  exec(sql: string): Array<{ values: unknown[][] }>;
  close(): void;
}

/**
 * Reads the stored Raceway events from a database file without opening it as a store: the
 * store would create the file, move a corrupt one aside or write it back, none of which a
 * report should do to a file a running collector may own.
 */
async function eventsFromFile(path: string): Promise<unknown[]> {
  const data = await readFile(path);
  const { default: init } = (await import(SQL_JS)) as {
    default: () => Promise<{ Database: new (d: Uint8Array) => ReadOnlyDb }>;
  };
  const SQL = await init();
  const db = new SQL.Database(data);
  try {
    const hasTable = db.exec("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'raceway_events'");
    if (hasTable.length === 0) return [];
    const rows = db.exec('SELECT body FROM raceway_events ORDER BY id')[0]?.values ?? [];
    return rows.map((r) => JSON.parse(String(r[0])) as unknown);
  } catch (err) {
    throw new Error(`${path} is not a collector database (${(err as Error).message})`);
  } finally {
    db.close();
  }
}

async function reportFromUrl(base: string): Promise<RaceReport> {
  let url: URL;
  try {
    url = new URL('/api/races', base);
  } catch {
    throw new Error(`not a URL: ${base.slice(0, 200)}`);
  }
  const res = await fetch(url, {
    headers: { accept: 'application/json' },
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) throw new Error(`GET ${url.href} answered ${res.status}`);
  return (await res.json()) as RaceReport;
}

/**
 * Prints the race report of a running collector (`--url`) or of a database file (`--db`).
 * Returns the exit code: 0 without races, 1 with races (usable in CI), 2 when nothing could be read.
 */
export async function runRaces(cmd: RacesCommand, io: RacesIo): Promise<number> {
  let report: RaceReport;
  try {
    report =
      cmd.url !== undefined ? await reportFromUrl(cmd.url) : analyzeRaces(await eventsFromFile(cmd.db));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const what =
      e.code === 'ENOENT'
        ? `no database at ${cmd.db} (is the collector using another --db, or pass --url)`
        : e.message;
    io.err(`sightline-collector races: ${what}\n`);
    return 2;
  }
  io.out(cmd.json ? `${JSON.stringify(report, null, 2)}\n` : `${formatRaceReport(report)}\n`);
  return report.raceCount > 0 ? 1 : 0;
}
