import { type Hub, newSpanId } from '@sightline/core';
import { decodeClockHeader } from './clock-header.js';
import type { ClockCell } from './clock-domain.js';
import { type VectorClock, clockFromPairs } from './vector-clock.js';
import { traceIdToUuid } from './wire.js';

/** The `propagationData` key under which the inbound `raceway-clock` value travels. */
export const RACEWAY_CLOCK_DATA_KEY = 'raceway-clock';

/**
 * The Raceway view of one unit of work (a request, a job from `continueTrace`, or code outside
 * any request): one logical thread, with its own clock component while it is live.
 */
export interface RaceContext {
  /** `node-<pid>-<8 hex>`, Raceway's `thread_id`. */
  readonly threadId: string;
  readonly traceUuid: string;
  /** `metadata.distributed_span_id`. */
  readonly spanId: string;
  /** `metadata.upstream_span_id`: the caller's span, from an inbound `raceway-clock`. */
  readonly upstreamSpanId: string | undefined;
  /** Shared by every event of the context (one allocation per context, not per event). */
  readonly tags: Readonly<Record<string, string>>;
  /** The inbound clock, joined when the context first opens. */
  readonly inbound: VectorClock | undefined;
  /** `METHOD route` of the request, sent as an `HttpRequest` event when the context opens. */
  readonly request: { method: string; url: string } | undefined;
  parentId: string | null;
  /** The live clock; undefined before the first event, after the end, or past `maxContexts`. */
  cell: ClockCell | undefined;
  /** The clock when the context last ended: late work (a timer that outlived its request) continues from it. */
  lastClock: VectorClock | undefined;
  /** Locks held, copy-on-write (events share the array until it changes). */
  locks: readonly string[];
  opened: boolean;
  /** The request finished; later events reopen the context until the next turn of the event loop. */
  ended: boolean;
  reopenPending: boolean;
}

/** The object a unit of work is recognized by: its propagation context, which forks of its hub (`withScope`) share. */
export function contextKey(hub: Hub): object {
  return hub.scope.propagation ?? hub;
}

const EMPTY_LOCKS: readonly string[] = Object.freeze([]);

/** Builds the context of `hub`'s unit of work from what core knows about it. */
export function createRaceContext(
  hub: Hub,
  baseTags: Readonly<Record<string, string>>,
  fallbackTraceId: string,
): RaceContext {
  const scope = hub.scope;
  const prop = scope.propagation;
  const raw = prop?.propagationData?.[RACEWAY_CLOCK_DATA_KEY];
  const inbound = raw === undefined ? undefined : decodeClockHeader(raw);
  const req = scope.request;
  return {
    threadId: `node-${process.pid}-${newSpanId().slice(0, 8)}`,
    traceUuid: traceIdToUuid(prop?.traceId ?? fallbackTraceId),
    // As Raceway's SDK: the span the caller created for this call, else a new one.
    spanId: inbound?.span_id ?? (prop?.parentSpanId || newSpanId()),
    upstreamSpanId: inbound?.parent_span_id ?? undefined,
    tags: scope.requestId ? { ...baseTags, request_id: scope.requestId } : baseTags,
    inbound: inbound && inbound.clock.length > 0 ? clockFromPairs(inbound.clock) : undefined,
    request: req?.method ? { method: req.method, url: req.route ?? req.path ?? '/' } : undefined,
    parentId: null,
    cell: undefined,
    lastClock: undefined,
    locks: EMPTY_LOCKS,
    opened: false,
    ended: false,
    reopenPending: false,
  };
}
