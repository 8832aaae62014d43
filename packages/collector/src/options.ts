/** Options for {@link startCollector}. Every field is optional. */
export interface CollectorOptions {
  /** TCP port; 0 picks a free one. @default 0 (the CLI defaults to 7331) */
  port?: number;
  /** Address to bind. Loopback by default: the collector has no auth on its UI. @default '127.0.0.1' */
  host?: string;
  /**
   * SQLite database file, or `':memory:'` for a store that lives only as long as the process.
   * The file is loaded on start and written back shortly after each change and on `close()`.
   * @default ':memory:' (the CLI defaults to `.sightline-data/collector.sqlite`)
   */
  db?: string;
  /** When set, ingest requests must carry it in `X-AllStak-Key` (401 otherwise). @default undefined */
  apiKey?: string;
  /** Largest accepted body, compressed or after gunzip, in bytes; larger gets 413. @default 5 MiB */
  maxBodyBytes?: number;
  /** Rows kept per kind (errors, logs, spans, ...); the oldest go first. @default 5000 */
  maxRowsPerKind?: number;
  /** Rows older than this (by receive time) are deleted, in ms. @default 24 h */
  maxAgeMs?: number;
  /** Delay between a change and writing the database file, in ms. @default 1000 */
  persistDelayMs?: number;
  /** Where the collector reports problems it survived (bad DB file, failed write). @default console.warn */
  onWarning?: (message: string) => void;
}

export interface ResolvedOptions {
  readonly port: number;
  readonly host: string;
  readonly db: string;
  readonly apiKey: string | undefined;
  readonly maxBodyBytes: number;
  readonly maxRowsPerKind: number;
  readonly maxAgeMs: number;
  readonly persistDelayMs: number;
  readonly onWarning: (message: string) => void;
}

export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

function intOption(name: string, v: unknown, min: number, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) {
    throw new TypeError(`Invalid \`${name}\`: must be an integer >= ${min}`);
  }
  return v;
}

/** Validates once and freezes the defaults in; throws `TypeError` on a bad option. */
export function resolveOptions(o: CollectorOptions = {}): ResolvedOptions {
  const port = intOption('port', o.port, 0, 0);
  if (port > 65535) throw new TypeError('Invalid `port`: must be an integer in [0, 65535]');
  if (o.host !== undefined && (typeof o.host !== 'string' || o.host === '')) {
    throw new TypeError('Invalid `host`: must be a non-empty string');
  }
  if (o.db !== undefined && (typeof o.db !== 'string' || o.db === '')) {
    throw new TypeError("Invalid `db`: must be a file path or ':memory:'");
  }
  if (o.apiKey !== undefined && (typeof o.apiKey !== 'string' || o.apiKey === '')) {
    throw new TypeError('Invalid `apiKey`: must be a non-empty string');
  }
  if (o.onWarning !== undefined && typeof o.onWarning !== 'function') {
    throw new TypeError('Invalid `onWarning`: must be a function');
  }
  return Object.freeze({
    port,
    host: o.host ?? '127.0.0.1',
    db: o.db ?? ':memory:',
    apiKey: o.apiKey,
    maxBodyBytes: intOption('maxBodyBytes', o.maxBodyBytes, 1, DEFAULT_MAX_BODY_BYTES),
    maxRowsPerKind: intOption('maxRowsPerKind', o.maxRowsPerKind, 1, 5000),
    maxAgeMs: intOption('maxAgeMs', o.maxAgeMs, 1, 24 * 60 * 60 * 1000),
    persistDelayMs: intOption('persistDelayMs', o.persistDelayMs, 0, 1000),
    onWarning: o.onWarning ?? ((m: string) => console.warn(`[sightline-collector] ${m}`)),
  });
}
