import { type VectorClock, clockFromPairs } from '../vector-clock.js';
import { ACCESS_TYPES, type AccessType } from '../wire.js';

/**
 * Raceway events as the analysis reads them: validated once (they come from the network, so
 * nothing about their shape is trusted), with the vector clock parsed and the time in µs.
 */
export interface AnalyzedEvent {
  /** Position in the input, the tie-breaker for equal timestamps. */
  readonly index: number;
  readonly id: string;
  readonly traceId: string;
  readonly threadId: string;
  /** `traceId` + `threadId`: one request context (Raceway's "different thread or different trace"). */
  readonly contextKey: string;
  readonly parentId: string | null;
  readonly timestamp: string;
  /** Epoch microseconds, NaN when the timestamp does not parse. */
  readonly timeUs: number;
  /** The `kind` variant name, e.g. `StateChange`. */
  readonly kind: string;
  readonly data: Readonly<Record<string, unknown>>;
  readonly clock: VectorClock;
  readonly lockSet: readonly string[];
  readonly service: string;
  readonly instance: string | undefined;
  readonly requestId: string | undefined;
}

/** A validated `StateChange`. */
export interface AnalyzedAccess {
  readonly event: AnalyzedEvent;
  readonly variable: string;
  readonly accessType: AccessType;
  readonly oldValue: unknown;
  readonly newValue: unknown;
  readonly location: string;
}

const MAX_ID = 128;
const MAX_NAME = 1024;
const MAX_LOCKS = 64;
const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/;

/** RFC 3339 to epoch µs, keeping the microseconds `Date.parse` would drop. NaN when malformed. */
export function parseTimestampUs(ts: string): number {
  if (ts.length > 40) return Number.NaN;
  const m = TIMESTAMP.exec(ts);
  if (!m) return Number.NaN;
  const seconds = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(seconds)) return Number.NaN;
  const frac = m[2] ? Number((m[2] + '000000').slice(0, 6)) : 0;
  return seconds * 1000 + frac;
}

function str(v: unknown, max: number): string | undefined {
  return typeof v === 'string' && v.length > 0 && v.length <= max ? v : undefined;
}

function record(v: unknown): Record<string, unknown> | undefined {
  return v !== null && typeof v === 'object' && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function lockSetOf(v: unknown): string[] {
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const l of v) {
    const s = str(l, MAX_NAME);
    if (s !== undefined && !out.includes(s)) out.push(s);
    if (out.length >= MAX_LOCKS) break;
  }
  return out;
}

/** Validates one event; undefined when it is not a usable Raceway event. Never throws. */
export function analyzeEvent(raw: unknown, index: number): AnalyzedEvent | undefined {
  const e = record(raw);
  if (!e) return undefined;
  const id = str(e.id, MAX_ID);
  const traceId = str(e.trace_id, MAX_ID);
  const meta = record(e.metadata);
  const threadId = str(meta?.thread_id, MAX_NAME);
  const kindObj = record(e.kind);
  if (!id || !traceId || !meta || !threadId || !kindObj) return undefined;
  const keys = Object.keys(kindObj);
  if (keys.length !== 1) return undefined;
  const kind = keys[0]!;
  const data = record(kindObj[kind]) ?? {};
  const timestamp = typeof e.timestamp === 'string' ? e.timestamp : '';
  const tags = record(meta.tags);
  return {
    index,
    id,
    traceId: traceId.toLowerCase(),
    threadId,
    contextKey: `${traceId.toLowerCase()}\u0000${threadId}`,
    parentId: str(e.parent_id, MAX_ID) ?? null,
    timestamp,
    timeUs: parseTimestampUs(timestamp),
    kind,
    data,
    clock: clockFromPairs(e.causality_vector),
    lockSet: lockSetOf(e.lock_set),
    service: str(meta.service_name, MAX_NAME) ?? '',
    instance: str(meta.instance_id, MAX_NAME),
    requestId: str(tags?.request_id, MAX_NAME),
  };
}

/** The access of a `StateChange` event, or undefined for other kinds or a malformed one. */
export function accessOf(event: AnalyzedEvent): AnalyzedAccess | undefined {
  if (event.kind !== 'StateChange') return undefined;
  const d = event.data;
  const variable = str(d.variable, MAX_NAME);
  const accessType = d.access_type as AccessType;
  if (variable === undefined || !ACCESS_TYPES.includes(accessType)) return undefined;
  return {
    event,
    variable,
    accessType,
    oldValue: d.old_value ?? null,
    newValue: d.new_value ?? null,
    location: typeof d.location === 'string' ? d.location.slice(0, MAX_NAME) : '',
  };
}

/** Order of events in time; input order breaks ties and stands in for unparseable timestamps. */
export function byTime(a: AnalyzedEvent, b: AnalyzedEvent): number {
  const ta = a.timeUs;
  const tb = b.timeUs;
  if (ta === tb || Number.isNaN(ta) || Number.isNaN(tb)) return a.index - b.index;
  return ta - tb;
}
