import { normalize } from '@sightline/core';
import { type ClockSnapshot, snapshotPairs } from './clock-domain.js';
import { type CallSite, UNKNOWN_LOCATION, resolveCallSite } from './location.js';
import type { RaceContext } from './race-context.js';
import type { RacewayEvent, RacewayEventKind, RacewayEventMetadata } from './wire.js';

/**
 * An event as captured on the calling path: everything the wire needs, but nothing formatted
 * yet (timestamp, location and clock are turned into strings in the transport worker).
 */
export interface CapturedEvent {
  readonly id: string;
  readonly context: RaceContext;
  readonly parentId: string | null;
  /** Epoch microseconds. */
  readonly timeUs: number;
  /** `kind` without its location fields, which {@link encodeEvent} fills in from `site`. */
  readonly kind: RacewayEventKind;
  readonly site: CallSite | undefined;
  readonly clock: ClockSnapshot;
  readonly locks: readonly string[];
  readonly durationNs: number | null;
}

/** What an encoder needs besides the event. */
export interface EncodeContext {
  readonly serviceName: string;
  readonly instanceId: string;
  readonly environment: string;
}

/** Epoch time in µs from one monotonic source (never goes backwards within the process). */
export function nowUs(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** RFC 3339 with microseconds, e.g. `2025-10-27T04:28:42.836234Z`, as Raceway's SDKs write it. */
export function formatTimestamp(us: number): string {
  const ms = Math.floor(us / 1000);
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, -1)}${String(us - ms * 1000).padStart(3, '0')}Z`;
}

const VALUE_LIMITS = { maxDepth: 4, maxBreadth: 50, maxStringLength: 1024 };

/**
 * A JSON-safe, bounded copy of a tracked value, taken at the call (the app may mutate the object
 * later). Numbers, booleans and null are kept as they are; the rest goes through core's
 * `normalize` (cycles, getters, huge strings), scrubbed unless `sendDefaultPii` is on.
 */
export function snapshotValue(v: unknown, scrub: boolean): unknown {
  if (v === null || v === undefined) return null;
  switch (typeof v) {
    case 'number':
      return Number.isFinite(v) ? v : String(v);
    case 'boolean':
      return v;
    default:
      return normalize(v, { scrub, ...VALUE_LIMITS });
  }
}

/** The wire event (WIRE-FORMATS §1.2). Runs in the transport worker. */
export function encodeEvent(e: CapturedEvent, enc: EncodeContext): RacewayEvent {
  const ctx = e.context;
  const metadata: RacewayEventMetadata = {
    thread_id: ctx.threadId,
    process_id: process.pid,
    service_name: enc.serviceName,
    environment: enc.environment,
    tags: ctx.tags,
    duration_ns: e.durationNs,
    instance_id: enc.instanceId,
    distributed_span_id: ctx.spanId,
  };
  if (ctx.upstreamSpanId) metadata.upstream_span_id = ctx.upstreamSpanId;
  return {
    id: e.id,
    trace_id: ctx.traceUuid,
    parent_id: e.parentId,
    timestamp: formatTimestamp(e.timeUs),
    kind: withLocation(e.kind, e.site),
    metadata,
    causality_vector: snapshotPairs(e.clock),
    lock_set: [...e.locks],
  };
}

function withLocation(kind: RacewayEventKind, site: CallSite | undefined): RacewayEventKind {
  if ('StateChange' in kind) return { StateChange: { ...kind.StateChange, location: locationOf(site) } };
  if ('LockAcquire' in kind) return { LockAcquire: { ...kind.LockAcquire, location: locationOf(site) } };
  if ('LockRelease' in kind) return { LockRelease: { ...kind.LockRelease, location: locationOf(site) } };
  if ('FunctionCall' in kind) {
    const where = resolveCallSite(site);
    const module = kind.FunctionCall.module || moduleOf(where.file);
    return { FunctionCall: { ...kind.FunctionCall, module, file: where.file, line: where.line } };
  }
  return kind;
}

function locationOf(site: CallSite | undefined): string {
  return site ? resolveCallSite(site).location : UNKNOWN_LOCATION;
}

/** `src/billing/ledger.ts` → `ledger`: Raceway's `module` field, when the caller gave none. */
function moduleOf(file: string): string {
  const slash = Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\'));
  const base = file.slice(slash + 1);
  const dot = base.indexOf('.');
  return (dot > 0 ? base.slice(0, dot) : base) || 'unknown';
}
