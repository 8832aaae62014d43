import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * SQLite through sql.js (SQLite compiled to WebAssembly): no native build and nothing downloaded
 * at install, so `pnpm install` works on a fresh machine. The database lives in memory and is
 * written back to its file a moment after each change (write-behind, atomic rename) and on close.
 */

export type SqlValue = string | number | null | Uint8Array;
export type Row = Record<string, SqlValue>;
type Params = SqlValue[] | Record<string, SqlValue>;

interface SqlStatement {
  bind(values?: Params): boolean;
  step(): boolean;
  getAsObject(): Row;
  reset(): void;
  free(): boolean;
}
interface SqlDatabase {
  run(sql: string, params?: Params): void;
  prepare(sql: string): SqlStatement;
  export(): Uint8Array;
  close(): void;
  getRowsModified(): number;
}
interface SqlJsStatic {
  Database: new (data?: Uint8Array) => SqlDatabase;
}

// A variable specifier keeps TypeScript from wanting sql.js typings (the package ships none).
const SQL_JS = 'sql.js';
let loading: Promise<SqlJsStatic> | undefined;
function loadSqlJs(): Promise<SqlJsStatic> {
  loading ??= import(SQL_JS).then((m: { default: () => Promise<SqlJsStatic> }) => m.default());
  return loading;
}

export const MEMORY = ':memory:';

export class Sqlite {
  private readonly statements = new Map<string, SqlStatement>();
  private timer: NodeJS.Timeout | undefined;
  private dirty = false;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly db: SqlDatabase,
    private readonly path: string,
    private readonly persistDelayMs: number,
    private readonly warn: (m: string) => void,
  ) {}

  /** Opens `path` (loading its contents) or a fresh in-memory database for `':memory:'`. */
  static async open(path: string, persistDelayMs: number, warn: (m: string) => void): Promise<Sqlite> {
    const SQL = await loadSqlJs();
    if (path === MEMORY) return new Sqlite(new SQL.Database(), path, persistDelayMs, warn);
    let data: Uint8Array | undefined;
    try {
      data = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      await mkdir(dirname(path), { recursive: true });
    }
    if (data && data.length > 0) {
      const db = new SQL.Database(data);
      try {
        // sql.js opens lazily: the first read is what finds out the file is not SQLite.
        db.prepare('SELECT count(*) FROM sqlite_master').free();
        return new Sqlite(db, path, persistDelayMs, warn);
      } catch {
        db.close();
        const aside = `${path}.corrupt-${Date.now()}`;
        await rename(path, aside);
        warn(`${path} is not a SQLite database; moved it to ${aside} and started empty`);
      }
    }
    return new Sqlite(new SQL.Database(), path, persistDelayMs, warn);
  }

  get inMemory(): boolean {
    return this.path === MEMORY;
  }

  private statement(sql: string): SqlStatement {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Rows as plain objects. */
  all(sql: string, params: Params = []): Row[] {
    const s = this.statement(sql);
    try {
      s.bind(params);
      const rows: Row[] = [];
      while (s.step()) rows.push(s.getAsObject());
      return rows;
    } finally {
      s.reset();
    }
  }

  get(sql: string, params: Params = []): Row | undefined {
    return this.all(sql, params)[0];
  }

  /** Runs a statement; returns the number of rows it changed. */
  run(sql: string, params: Params = []): number {
    const s = this.statement(sql);
    try {
      s.bind(params);
      s.step();
      return this.db.getRowsModified();
    } finally {
      s.reset();
    }
  }

  /** Runs DDL or several statements (no parameters, not cached). */
  exec(sql: string): void {
    this.db.run(sql);
  }

  /** Runs `fn` in one transaction and schedules a write of the file. */
  transaction<T>(fn: () => T): T {
    this.db.run('BEGIN');
    try {
      const out = fn();
      this.db.run('COMMIT');
      this.changed();
      return out;
    } catch (err) {
      this.db.run('ROLLBACK');
      throw err;
    }
  }

  private changed(): void {
    if (this.inMemory || this.closed) return;
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.persist();
    }, this.persistDelayMs);
    this.timer.unref();
  }

  /** Writes the database file now if anything changed (serialized; never rejects). */
  persist(): Promise<void> {
    if (this.inMemory || !this.dirty || this.closed) return this.writing;
    this.dirty = false;
    const bytes = this.db.export();
    const tmp = `${this.path}.tmp`;
    this.writing = this.writing
      .then(() => writeFile(tmp, bytes))
      .then(() => rename(tmp, this.path))
      .catch((err: Error) => {
        this.dirty = true;
        this.warn(`could not write ${this.path}: ${err.message}`);
      });
    return this.writing;
  }

  /** Writes pending changes (synchronously, so a signal handler can rely on it) and closes. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.writing;
    if (!this.inMemory && (this.dirty || !existsSync(this.path))) {
      try {
        mkdirSync(dirname(this.path), { recursive: true });
        writeFileSync(`${this.path}.tmp`, this.db.export());
        renameSync(`${this.path}.tmp`, this.path);
      } catch (err) {
        this.warn(`could not write ${this.path}: ${(err as Error).message}`);
      }
    }
    this.closed = true;
    for (const s of this.statements.values()) s.free();
    this.statements.clear();
    this.db.close();
  }
}
