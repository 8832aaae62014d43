import type { Client } from './client.js';
import { matchesAny } from './matchers.js';
import type { Setter } from './propagation/types.js';
import { getOutboundContext } from './tracing/api.js';
import type { Span } from './tracing/span.js';

/**
 * Helpers for outbound instrumentation (fetch/undici/http). They decide where trace headers may
 * go and write them; the SDK's own ingest host never gets them.
 */

const originCache = new WeakMap<Client, Set<string>>();

function ingestOrigins(client: Client): Set<string> {
  let set = originCache.get(client);
  if (!set) {
    set = new Set<string>();
    try {
      set.add(new URL(client.options.host).origin);
    } catch {}
    originCache.set(client, set);
  }
  return set;
}

/** Registers another origin the SDK sends to (exporters call this), so it is never instrumented. */
export function registerSdkOrigin(client: Client, url: string): void {
  try {
    ingestOrigins(client).add(new URL(url).origin);
  } catch {}
}

/** True for URLs of the SDK's own backends. */
export function isSdkUrl(client: Client, origin: string): boolean {
  return ingestOrigins(client).has(origin);
}

/** True when `url` may get trace headers: not the ingest host, and matching `tracePropagationTargets`. */
export function shouldPropagateTo(client: Client, url: string, origin: string): boolean {
  if (isSdkUrl(client, origin)) return false;
  const targets = client.options.tracePropagationTargets;
  return !targets || matchesAny(targets, url);
}

/**
 * Writes every configured propagator's headers (and merged baggage) for `span` — or the current
 * trace — onto `carrier`, skipping headers the caller already set.
 */
export function injectTraceHeaders<C>(
  client: Client,
  carrier: C,
  set: Setter<C>,
  has: (carrier: C, key: string) => boolean,
  span?: Span,
): boolean {
  const ctx = getOutboundContext(span);
  if (!ctx) return false;
  client.propagator.inject(ctx, carrier, set, has);
  return true;
}
