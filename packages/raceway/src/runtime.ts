import diagnostics from 'node:diagnostics_channel';
import {
  type InjectContext,
  type Transport,
  getCurrentHub,
  getRequestHub,
  newTraceId,
  newUuid,
} from '@sightline/core';
import { encodeClockHeader } from './clock-header.js';
import { ClockDomain, snapshotPairs } from './clock-domain.js';
import { type CapturedEvent, type EncodeContext, nowUs } from './encode.js';
import type { CallSite } from './location.js';
import { type RaceContext, contextKey, createRaceContext } from './race-context.js';
import { clockToPairs } from './vector-clock.js';
import { type CausalityVector, type RacewayEventKind, traceIdToUuid } from './wire.js';

/** Published by Node's http server once a response is complete (present on Node 20). */
const RESPONSE_FINISH = 'http.server.response.finish';

export interface RuntimeSettings {
  readonly encode: EncodeContext;
  readonly tags: Readonly<Record<string, string>>;
  readonly maxContexts: number;
  readonly maxLocks: number;
  readonly captureLocation: boolean;
  /** Scrub tracked values (core's privacy rules) unless `sendDefaultPii` is on. */
  readonly scrub: boolean;
  readonly debug: ((msg: string) => void) | undefined;
}

export interface RuntimeStats {
  /** Events handed to the transport. */
  events: number;
  /** Events the transport refused (queue full or closed). */
  droppedQueueFull: number;
  /** Events not recorded because `maxContexts` contexts were live. */
  droppedContextLimit: number;
  /** Contexts opened so far (reopenings of finished requests included). */
  contextsOpened: number;
  /** Contexts live now. */
  contextsLive: number;
  /** Lock clocks forgotten past `maxLocks`. */
  locksEvicted: number;
}

/**
 * The live half of the exporter: per-request contexts, this instance's clocks, and the event
 * queue. Every method is called from public API functions, which catch anything it throws.
 */
export class RacewayRuntime {
  readonly domain: ClockDomain;
  private readonly contexts = new WeakMap<object, RaceContext>();
  // Contexts that never see an end (jobs started with continueTrace, aborted requests, requests
  // not served by node:http) end when their unit of work is garbage-collected, freeing their slot.
  private readonly finalizer = new FinalizationRegistry<RaceContext>((ctx) => {
    if (!this.stopped) this.endContext(ctx);
  });
  private readonly processTraceId = newTraceId();
  private readonly onFinish = (msg: unknown): void => {
    try {
      const req = (msg as { request?: object } | null)?.request;
      if (req) this.endRequest(req);
    } catch (err) {
      this.s.debug?.(`request end failed: ${String((err as Error)?.message ?? err)}`);
    }
  };
  private stopped = false;
  private events = 0;
  private droppedQueueFull = 0;
  private droppedContextLimit = 0;
  private contextsOpened = 0;

  constructor(
    readonly s: RuntimeSettings,
    private readonly transport: Transport,
  ) {
    const { serviceName, instanceId } = s.encode;
    this.domain = new ClockDomain(`${serviceName}#${instanceId}/`, s.maxContexts, s.maxLocks);
  }

  start(): void {
    diagnostics.subscribe(RESPONSE_FINISH, this.onFinish);
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    diagnostics.unsubscribe(RESPONSE_FINISH, this.onFinish);
  }

  get isStopped(): boolean {
    return this.stopped;
  }

  /** The current unit of work's context with a live clock, or undefined (stopped, or `maxContexts` live). */
  context(): RaceContext | undefined {
    if (this.stopped) return undefined;
    const hub = getCurrentHub();
    const key = contextKey(hub);
    let ctx = this.contexts.get(key);
    if (ctx === undefined) {
      ctx = createRaceContext(hub, this.s.tags, this.processTraceId);
      this.contexts.set(key, ctx);
      this.finalizer.register(key, ctx);
    }
    if (ctx.cell === undefined && !this.open(ctx)) return undefined;
    return ctx;
  }

  private open(ctx: RaceContext): boolean {
    const cell = this.domain.open(ctx.ended ? ctx.lastClock : ctx.inbound);
    if (cell === undefined) {
      this.droppedContextLimit++;
      return false;
    }
    ctx.cell = cell;
    this.contextsOpened++;
    if (ctx.ended) {
      // Late work of a finished request: one turn of the event loop, then it ends again.
      if (!ctx.reopenPending) {
        ctx.reopenPending = true;
        setImmediate(() => {
          ctx.reopenPending = false;
          this.endContext(ctx);
        }).unref();
      }
    } else if (!ctx.opened) {
      ctx.opened = true;
      if (ctx.request) {
        this.record(
          ctx,
          { HttpRequest: { method: ctx.request.method, url: ctx.request.url, headers: {}, body: null } },
          undefined,
        );
      }
    }
    return true;
  }

  /** Ends the context of a request served by core's `runServerRequest`, if it tracked anything. */
  endRequest(req: object): void {
    const hub = getRequestHub(req);
    if (!hub) return;
    const ctx = this.contexts.get(contextKey(hub));
    if (!ctx) return;
    ctx.ended = true;
    this.endContext(ctx);
  }

  private endContext(ctx: RaceContext): void {
    const cell = ctx.cell;
    if (cell === undefined) return;
    ctx.cell = undefined;
    ctx.lastClock = this.domain.end(cell);
  }

  /** Records one event of `ctx` (which must have a live clock). */
  record(
    ctx: RaceContext,
    kind: RacewayEventKind,
    site: CallSite | undefined,
    durationNs: number | null = null,
  ): void {
    const cell = ctx.cell;
    if (cell === undefined) return;
    const clock = this.domain.tick(cell);
    const id = newUuid();
    const event: CapturedEvent = {
      id,
      context: ctx,
      parentId: ctx.parentId,
      timeUs: nowUs(),
      kind,
      site,
      clock,
      locks: ctx.locks,
      durationNs,
    };
    ctx.parentId = id;
    if (this.transport.send('events', event)) this.events++;
    else this.droppedQueueFull++;
  }

  lockAcquired(ctx: RaceContext, lockId: string, lockType: string, site: CallSite | undefined): void {
    const cell = ctx.cell;
    if (cell === undefined) return;
    this.domain.acquire(cell, lockId);
    ctx.locks = [...ctx.locks, lockId];
    this.record(ctx, { LockAcquire: { lock_id: lockId, lock_type: lockType, location: '' } }, site);
  }

  lockReleased(ctx: RaceContext, lockId: string, lockType: string, site: CallSite | undefined): void {
    const cell = ctx.cell;
    if (cell === undefined) return;
    const i = ctx.locks.lastIndexOf(lockId);
    if (i !== -1) ctx.locks = [...ctx.locks.slice(0, i), ...ctx.locks.slice(i + 1)];
    this.record(ctx, { LockRelease: { lock_id: lockId, lock_type: lockType, location: '' } }, site);
    this.domain.release(cell, lockId);
  }

  /**
   * The `raceway-clock` value for an outbound call made now: a send is an event of its own in
   * the clock (so the receiver knows everything this context did up to the call, and nothing after).
   */
  outboundHeader(inject: InjectContext): string | undefined {
    if (this.stopped) return undefined;
    // A unit of work that tracked nothing gets no clock component of its own just to call out
    // (code outside requests would hold one forever): it sends what has ended here so far.
    const ctx = this.contexts.get(contextKey(getCurrentHub()));
    let clock: CausalityVector;
    if (ctx !== undefined && (ctx.cell !== undefined || this.open(ctx))) {
      clock = snapshotPairs(this.domain.tick(ctx.cell!));
    } else {
      clock = clockToPairs(this.domain.endedClock());
    }
    return encodeClockHeader({
      trace_id: traceIdToUuid(inject.traceId),
      span_id: inject.spanId,
      parent_span_id: ctx?.spanId ?? null,
      service: this.s.encode.serviceName,
      instance: this.s.encode.instanceId,
      clock,
    });
  }

  stats(): RuntimeStats {
    return {
      events: this.events,
      droppedQueueFull: this.droppedQueueFull,
      droppedContextLimit: this.droppedContextLimit,
      contextsOpened: this.contextsOpened,
      contextsLive: this.domain.live,
      locksEvicted: this.domain.locksEvicted,
    };
  }
}

interface RuntimeSlot {
  runtime: RacewayRuntime | undefined;
}

// One slot per process, shared by the ESM and CJS builds of this package (as core does for its
// context): tracking calls made through one build must reach the exporter set up through the other.
const SLOT_KEY = Symbol.for('sightline.raceway.runtime.v1');
const g = globalThis as unknown as Record<symbol, RuntimeSlot | undefined>;
const slot: RuntimeSlot = g[SLOT_KEY] ?? (g[SLOT_KEY] = { runtime: undefined });

/** The runtime of the most recently set-up exporter that is still open. */
export function activeRuntime(): RacewayRuntime | undefined {
  const rt = slot.runtime;
  return rt && !rt.isStopped ? rt : undefined;
}

export function setActiveRuntime(rt: RacewayRuntime): void {
  slot.runtime = rt;
}

export function clearActiveRuntime(rt: RacewayRuntime): void {
  if (slot.runtime === rt) slot.runtime = undefined;
}
