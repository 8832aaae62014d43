import {
  type DebugLogger,
  type ErrorEvent,
  type Exporter,
  type ExporterSetup,
  type ItemKind,
  type ItemKinds,
  type Transport,
  type TransportStats,
  createDebugLogger,
  createHttpExecutor,
  createTransport,
  registerSdkOrigin,
} from '@sightline/core';
import { type BatchStats, createBatchLayer } from './batches.js';
import { levelRank, mapEvent, toLevel } from './map-event.js';
import { type ErrSightExporterOptions, isLoopback, resolveErrSightOptions } from './options.js';
import type { ErrSightEvent } from './wire.js';

const EVENTS = 'events';
// ErrSight's reference client clamps Retry-After to 600 s and waits 60 s without one.
const MAX_RETRY_AFTER_MS = 600_000;
const DEFAULT_RETRY_AFTER_MS = 60_000;

export interface ErrSightExporterStats {
  enabled: boolean;
  /** Below `minLevel`. */
  droppedBelowMinLevel: number;
  /** `beforeSend` returned null (or threw: also in `beforeSendErrors`). */
  droppedBeforeSend: number;
  beforeSendErrors: number;
  /** Per-event outcomes: accepted, truncated, splits and drops by cause. */
  events: BatchStats;
  /** Core transport counters for the `events` category (queue bound, retries, 429 holds). */
  transport: TransportStats | undefined;
}

let warnedInsecure = false;

/**
 * Sends error events to ErrSight (`POST <host>/api/v1/events`, `X-API-Key`), batched: up to
 * `batchSize` events (at most 100) and 512 KB per request, every `flushInterval`. A batch too
 * large is split, a single oversized event shortened (marked `metadata.truncated`); a 413 or 422
 * halves the batch until the refused event is isolated and dropped with a count; a 429 holds
 * delivery for `Retry-After` (at most 10 minutes) and then retries the held events; other 4xx
 * drop. Accepts only `error` items; `minLevel` applies before `beforeSend`. Without a key it is
 * a no-op. Reads `ERRSIGHT_API_KEY`, `ERRSIGHT_HOST`, `ERRSIGHT_ENV`, `ERRSIGHT_RELEASE`,
 * `ERRSIGHT_DEBUG`.
 *
 * @example
 * init({ exporters: [errsightExporter({ apiKey: process.env.ERRSIGHT_API_KEY })] });
 */
export function errsightExporter(options?: ErrSightExporterOptions): Exporter {
  const o = resolveErrSightOptions(options);
  const enabled = o.apiKey !== undefined;
  const batchStats: BatchStats = {
    accepted: 0,
    truncated: 0,
    splits: 0,
    droppedTooLarge: 0,
    droppedInvalid: 0,
    droppedRejected: 0,
  };
  const counters = { droppedBelowMinLevel: 0, droppedBeforeSend: 0, beforeSendErrors: 0 };
  const minRank = levelRank(o.minLevel);
  let transport: Transport | undefined;
  let debug: DebugLogger = createDebugLogger(o.debug);
  let mapContext = { environment: o.environment, release: o.release, sdkVersion: '' };

  if (
    enabled &&
    !o.allowInsecureTransport &&
    o.host.startsWith('http:') &&
    !isLoopback(o.host) &&
    !warnedInsecure
  ) {
    warnedInsecure = true;
    // Said once whether or not debug is on: the key is about to cross a network in clear text.
    process.emitWarning(
      'ErrSight host uses plain http on a non-loopback address: the API key travels unencrypted. Use https, or set allowInsecureTransport: true.',
      { code: 'SIGHTLINE_ERRSIGHT_INSECURE_HOST' },
    );
  }

  const url = `${o.host}/api/v1/events`;
  const headers = {
    'content-type': 'application/json',
    'x-api-key': o.apiKey ?? '',
    'user-agent': 'sightline-node',
  };

  return {
    name: 'errsight',
    accepts: (kind: ItemKind) => enabled && kind === 'error',
    setup(ctx: ExporterSetup) {
      if (!o.debug && ctx.debug.enabled) debug = ctx.debug;
      if (!enabled) {
        debug.once(
          'errsight-disabled',
          `errsight: ${o.disabledReason ?? 'disabled'}; the exporter sends nothing`,
        );
        return;
      }
      const c = ctx.options;
      mapContext = {
        environment: o.environment ?? c.environment,
        release: o.release ?? c.release,
        sdkVersion: ctx.sdkVersion,
      };
      headers['user-agent'] = `sightline-node/${ctx.sdkVersion}`;
      // The exporter's own requests must never show up as outbound spans.
      registerSdkOrigin(ctx.client, o.host);
      const layer = createBatchLayer(
        createHttpExecutor({ timeoutMs: o.timeoutMs }),
        o.maxPayloadBytes,
        batchStats,
      );
      const log = debug.enabled ? (m: string) => debug.log(`errsight: ${m}`) : undefined;
      transport = (c.transport ?? createTransport)({
        categories: { [EVENTS]: { batched: true } },
        encode: (_category, items) => layer.encode(items, { url, method: 'POST', headers: { ...headers } }),
        executor: layer.execute,
        queueSize: o.maxQueueSize,
        maxBatchSize: o.batchSize,
        flushInterval: o.flushInterval,
        // The server reads plain JSON; it is not documented to decode gzip request bodies.
        compression: 'none',
        maxRetryAfterMs: MAX_RETRY_AFTER_MS,
        defaultRetryAfterMs: DEFAULT_RETRY_AFTER_MS,
        ...o.transport,
        debug: log,
      });
    },
    export<K extends ItemKind>(kind: K, item: ItemKinds[K]): boolean {
      if (kind !== 'error' || !transport) return false;
      const e = item as ErrorEvent;
      if (levelRank(toLevel(e.level)) < minRank) {
        counters.droppedBelowMinLevel++;
        return true;
      }
      let event: ErrSightEvent | null = mapEvent(e, mapContext);
      if (o.beforeSend) {
        try {
          event = o.beforeSend(event);
        } catch (err) {
          counters.beforeSendErrors++;
          debug.log(
            `errsight: beforeSend threw, event dropped: ${String((err as Error)?.message ?? err).slice(0, 200)}`,
          );
          event = null;
        }
        if (event === null || typeof event !== 'object') {
          counters.droppedBeforeSend++;
          return true;
        }
      }
      return transport.send(EVENTS, event);
    },
    flush: (timeoutMs: number) => (transport ? transport.flush(timeoutMs) : Promise.resolve(true)),
    close: (timeoutMs: number) => (transport ? transport.close(timeoutMs) : Promise.resolve(true)),
    getStats: (): ErrSightExporterStats => ({
      enabled,
      ...counters,
      events: { ...batchStats },
      transport: transport?.getStats(),
    }),
  };
}
