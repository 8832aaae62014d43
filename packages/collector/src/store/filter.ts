import type { SqlValue } from './sqlite.js';

/** Query parameters the JSON API understands (all optional). */
export interface QueryFilter {
  /** Rows returned, 1..1000. @default 100 */
  limit: number;
  /** Only rows with a smaller id (paging backwards through time). */
  before?: number;
  /** Epoch ms (or an ISO date in the query string), inclusive. */
  since?: number;
  until?: number;
  traceId?: string;
  requestId?: string;
  /** Route template (`/users/:id`), as sent. */
  route?: string;
  /** One or more levels (comma-separated in the query string). */
  level?: string[];
  service?: string;
  /** Case-insensitive text search. */
  q?: string;
  /** Error group key. */
  group?: string;
  /** `inbound` | `outbound` for HTTP records. */
  direction?: string;
  /** `ok` | `error` for traces. */
  status?: string;
}

export class BadQueryError extends Error {}

const MAX_PARAM = 500;

function text(params: URLSearchParams, name: string): string | undefined {
  const v = params.get(name);
  if (v === null || v === '') return undefined;
  if (v.length > MAX_PARAM) throw new BadQueryError(`${name}: must be at most ${MAX_PARAM} characters`);
  return v;
}

function time(params: URLSearchParams, name: string): number | undefined {
  const v = text(params, name);
  if (v === undefined) return undefined;
  const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  if (!Number.isFinite(n)) throw new BadQueryError(`${name}: must be epoch milliseconds or an ISO date`);
  return n;
}

function int(params: URLSearchParams, name: string, min: number, max: number): number | undefined {
  const v = text(params, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new BadQueryError(`${name}: must be an integer in [${min}, ${max}]`);
  }
  return n;
}

/** Parses and bounds the query string; throws `BadQueryError` naming the bad parameter. */
export function parseFilter(params: URLSearchParams): QueryFilter {
  const level = text(params, 'level');
  return {
    limit: int(params, 'limit', 1, 1000) ?? 100,
    before: int(params, 'before', 1, Number.MAX_SAFE_INTEGER),
    since: time(params, 'since'),
    until: time(params, 'until'),
    traceId: text(params, 'traceId')?.toLowerCase(),
    requestId: text(params, 'requestId'),
    route: text(params, 'route'),
    level: level
      ?.split(',')
      .map((l) => l.trim())
      .filter(Boolean),
    service: text(params, 'service'),
    q: text(params, 'q'),
    group: text(params, 'group'),
    direction: text(params, 'direction'),
    status: text(params, 'status'),
  };
}

/** `%`, `_` and `\` taken literally in a LIKE pattern (used with `ESCAPE '\'`). */
export function likeContains(s: string): string {
  return `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Collects `AND`-ed conditions and their parameters. */
export class Where {
  readonly clauses: string[] = [];
  readonly params: SqlValue[] = [];

  add(clause: string, ...params: SqlValue[]): this {
    this.clauses.push(clause);
    this.params.push(...params);
    return this;
  }

  in(column: string, values: readonly string[]): this {
    return this.add(`${column} IN (${values.map(() => '?').join(', ')})`, ...values);
  }

  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}
