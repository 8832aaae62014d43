import type { Client } from './client.js';
import { activeContext, withContext } from './context.js';
import { Scope } from './scope.js';
import type { Span } from './tracing/span.js';

/** A client plus a scope. Every request, job or `withScope` runs in its own forked hub. */
export class Hub {
  constructor(
    public client: Client | undefined,
    public readonly scope: Scope,
  ) {}

  fork(): Hub {
    return new Hub(this.client, this.scope.clone());
  }
}

interface GlobalCarrier {
  hub: Hub;
}

// Shared by the ESM and CJS builds (see context.ts).
const KEY = Symbol.for('sightline.hub.v1');
const g = globalThis as unknown as Record<symbol, GlobalCarrier | undefined>;
const carrier: GlobalCarrier = g[KEY] ?? (g[KEY] = { hub: new Hub(undefined, new Scope()) });

/** The process-wide hub, used outside any request. */
export function getProcessHub(): Hub {
  return carrier.hub;
}

/** The hub of the current async context, or the process hub. */
export function getCurrentHub(): Hub {
  return (activeContext().hub as Hub | undefined) ?? carrier.hub;
}

/** The client of the current hub, if `init` ran. */
export function getClient(): Client | undefined {
  return getCurrentHub().client;
}

/** The active span of the current async context. */
export function getActiveSpan(): Span | undefined {
  return activeContext().span as Span | undefined;
}

/** Runs `fn` in a forked hub (same active span). */
export function runInForkedHub<T>(fn: (hub: Hub) => T): T {
  const ctx = activeContext();
  const hub = ((ctx.hub as Hub | undefined) ?? carrier.hub).fork();
  return withContext({ hub, span: ctx.span }, () => fn(hub));
}
