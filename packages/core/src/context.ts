import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The async context Sightline carries through a request: which hub is current, which span is
 * active, and whether the SDK's own I/O is running (so instrumentation never records itself).
 *
 * Contexts are immutable; `withContext` runs a function with a new one through
 * `AsyncLocalStorage.run` (never `enterWith`, which leaks into the caller).
 */
export interface SightlineContext {
  /** The hub (client + scope) that top-level calls act on. `undefined` means the process hub. */
  readonly hub?: unknown;
  /** The active span, if any. */
  readonly span?: unknown;
  /** True while the SDK sends its own data: outbound instrumentation must ignore this work. */
  readonly suppressed?: boolean;
}

const EMPTY: SightlineContext = Object.freeze({});

interface Carrier {
  als: AsyncLocalStorage<SightlineContext>;
}

/**
 * The storage lives on `globalThis` under a registered symbol so that the ESM and CJS builds of
 * this package (both can be loaded in one process, e.g. by a pino worker or a CJS dependency)
 * share one context instead of silently splitting it.
 */
const CARRIER_KEY = Symbol.for('sightline.context.v1');
const g = globalThis as unknown as Record<symbol, Carrier | undefined>;
const carrier: Carrier = g[CARRIER_KEY] ?? (g[CARRIER_KEY] = { als: new AsyncLocalStorage<SightlineContext>() });
const als = carrier.als;

/** The current context (an empty one outside any Sightline scope). */
export function activeContext(): SightlineContext {
  return als.getStore() ?? EMPTY;
}

/** Runs `fn` with `ctx` as the current context. */
export function withContext<T>(ctx: SightlineContext, fn: () => T): T {
  return als.run(ctx, fn);
}

/** True while the SDK's own transport is at work in this async context. */
export function isSuppressed(): boolean {
  return als.getStore()?.suppressed === true;
}

const SUPPRESSED: SightlineContext = Object.freeze({ suppressed: true });

/**
 * Runs `fn` detached from any request (no hub, no span) and with suppression on. The transport
 * uses it for its timers and requests, so a flush triggered inside a request neither inherits
 * that request's context nor gets recorded by outbound instrumentation.
 */
export function runSuppressed<T>(fn: () => T): T {
  return als.run(SUPPRESSED, fn);
}
