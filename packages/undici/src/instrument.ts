import type { Client, Integration } from '@sightline/core';
import { createHttpSubscription } from './http-channels.js';
import { type OutboundHttpOptions, type ResolvedOutboundOptions, resolveOutboundOptions } from './options.js';
import type { ChannelSubscription } from './subscription.js';
import { createUndiciSubscription } from './undici-channels.js';

/** Returned by `instrumentOutboundHttp`. */
export interface OutboundHttpHandle {
  /** Stops this instrumentation; the channels are unsubscribed once no handle is left. Idempotent. */
  disable(): void;
  /** False once `disable()` ran. */
  readonly enabled: boolean;
}

interface LiveHandle {
  readonly options: ResolvedOutboundOptions;
}

interface ProcessState {
  /** Live handles, oldest first; the newest one's options apply. */
  handles: LiveHandle[];
  options: ResolvedOutboundOptions;
  undici: ChannelSubscription | undefined;
  http: ChannelSubscription | undefined;
}

// One subscription per process, shared by the ESM and CJS builds of this package if both load:
// two sets of subscribers would record every request twice.
const KEY = Symbol.for('sightline.undici.instrumentation.v1');
const g = globalThis as unknown as Record<symbol, ProcessState | undefined>;
const state: ProcessState =
  g[KEY] ??
  (g[KEY] = {
    handles: [],
    options: resolveOutboundOptions(undefined),
    undici: undefined,
    http: undefined,
  });

const getOptions = (): ResolvedOutboundOptions => state.options;

function reconcile(): void {
  const newest = state.handles[state.handles.length - 1];
  if (newest) state.options = newest.options;
  const wantUndici = newest?.options.undici === true;
  const wantHttp = newest?.options.http === true;
  if (wantUndici && !state.undici) {
    state.undici = createUndiciSubscription(getOptions);
    state.undici.subscribe();
  } else if (!wantUndici && state.undici) {
    state.undici.unsubscribe();
    state.undici = undefined;
  }
  if (wantHttp && !state.http) {
    state.http = createHttpSubscription(getOptions);
    state.http.subscribe();
  } else if (!wantHttp && state.http) {
    state.http.unsubscribe();
    state.http = undefined;
  }
}

function enable(options: ResolvedOutboundOptions): OutboundHttpHandle {
  const live: LiveHandle = { options };
  state.handles.push(live);
  reconcile();
  let enabled = true;
  return {
    disable() {
      if (!enabled) return;
      enabled = false;
      const i = state.handles.indexOf(live);
      if (i !== -1) state.handles.splice(i, 1);
      reconcile();
    },
    get enabled() {
      return enabled;
    },
  };
}

/**
 * Records outbound HTTP calls made with global `fetch`, undici (6 and 7) and `http.request` /
 * `https.request` — a client span, an outbound `/http-requests` record and a breadcrumb each —
 * and writes trace headers, all through `node:diagnostics_channel` (nothing is patched).
 * One subscription serves the whole process; calling this again shares it, and the options of the
 * most recent live handle apply. Throws a `TypeError` for invalid options.
 * @example const outbound = instrumentOutboundHttp(); // later: outbound.disable()
 */
export function instrumentOutboundHttp(options?: OutboundHttpOptions): OutboundHttpHandle {
  return enable(resolveOutboundOptions(options));
}

/**
 * The same instrumentation as an integration for `init`: set up with the client, undone when
 * that client closes.
 * @example init({ apiKey, integrations: [outboundHttpIntegration()] });
 */
export function outboundHttpIntegration(options?: OutboundHttpOptions): Integration {
  const resolved = resolveOutboundOptions(options);
  const handles = new Map<Client, OutboundHttpHandle>();
  return {
    name: 'OutboundHttp',
    setup(client: Client) {
      if (handles.has(client)) return;
      handles.set(client, enable(resolved));
    },
    teardown() {
      // `init` replacing a client closes the old one after setting up the new one, and teardown
      // gets no client: undo only the handles of closed clients, or all of them if none is closed
      // (a direct call).
      let closedAny = false;
      for (const [client, handle] of handles) {
        if (!client.isClosed()) continue;
        handle.disable();
        handles.delete(client);
        closedAny = true;
      }
      if (closedAny) return;
      for (const handle of handles.values()) handle.disable();
      handles.clear();
    },
  };
}
