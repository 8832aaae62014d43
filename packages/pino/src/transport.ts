import {
  deliverLogRecord,
  getProcessHub,
  Hub,
  init,
  type LoggerBridgeStats,
  Scope,
  type SightlineOptions,
  zeroLoggerStats,
} from '@sightline/core';
import build from 'pino-abstract-transport';
import { recordLevel, routed, routeOf } from './levels.js';
import { correlationIds, readRecord } from './record.js';
import { resolveStreamOptions, type SightlineStreamOptions } from './stream.js';

/**
 * Options of the worker-thread transport. They cross a thread boundary (structured clone), so
 * only plain data: no functions, no integrations, no custom transport.
 */
export interface SightlineTransportOptions
  extends Pick<
      SightlineOptions,
      | 'apiKey'
      | 'dsn'
      | 'host'
      | 'release'
      | 'environment'
      | 'serverName'
      | 'service'
      | 'sampleRate'
      | 'sendDefaultPii'
      | 'ignoreErrors'
      | 'debug'
      | 'shutdownTimeout'
      | 'transportQueueSize'
      | 'maxBatchSize'
      | 'flushInterval'
      | 'allowInsecureTransport'
      | 'inAppInclude'
      | 'inAppExclude'
    >,
    Omit<SightlineStreamOptions, 'breadcrumbLevel'> {}

const ADAPTER_KEYS = new Set([
  'logLevel',
  'eventLevel',
  'breadcrumbLevel',
  'customLevels',
  'messageKey',
  'errorKey',
  'maxMessageLength',
]);
// Things pino itself adds to the options it hands the worker.
const PINO_KEYS = new Set(['pinoWillSendConfig', 'levels', 'dedupe', 'targets', 'pipelines']);

/**
 * The worker-thread transport: `transport: { target: '@sightline/pino/transport', options }`.
 * It runs its own Sightline client in pino's worker thread and sends every record at or above
 * `logLevel` to `/logs`, and every record at or above `eventLevel` as an error event, correlated
 * through the `trace_id`/`span_id`/`request_id` fields `sightlineMixin()` added in the main thread.
 * Closing the transport (pino does it at exit, after `logger.flush()`) flushes the client.
 * Breadcrumbs need the request's scope, which only exists in the main thread: use
 * `sightlineStream()` for them.
 *
 * @example
 * const logger = pino({ mixin: sightlineMixin(), transport: { target: '@sightline/pino/transport', options: { release: '1.2.3' } } });
 */
export default async function sightlineTransport(options: SightlineTransportOptions = {}) {
  const resolved = resolveStreamOptions(options);
  const clientOptions: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options))
    if (!ADAPTER_KEYS.has(k) && !PINO_KEYS.has(k)) clientOptions[k] = v;
  const client = init({
    ...(clientOptions as SightlineOptions),
    // The main thread owns process hooks, sessions and the app's lifecycle.
    defaultIntegrations: false,
    autoSessionTracking: false,
  });
  const thresholds = { ...resolved.thresholds, breadcrumb: Number.POSITIVE_INFINITY };
  const stats: LoggerBridgeStats = zeroLoggerStats();
  const processHub = getProcessHub();

  const handle = (obj: Record<string, unknown>) => {
    const level = recordLevel(obj.level, resolved.customLevels);
    if (level === undefined || !routed(level, thresholds)) return;
    stats.records++;
    const read = readRecord(obj, resolved.keys, undefined, resolved.maxMessageLength);
    if (read.truncated) stats.truncated++;
    const ids = correlationIds(obj);
    const route = routeOf(level, thresholds);
    let hub = processHub;
    if (route.event && ids !== undefined) {
      // Events read trace and request from a scope: give this record one of its own.
      const scope = new Scope();
      scope.propagation = { traceId: ids.traceId!, parentSpanId: '' };
      scope.requestId = ids.requestId;
      hub = new Hub(client, scope);
    }
    deliverLogRecord(
      { route, message: read.message, attributes: read.attributes, error: read.error },
      { hub, span: undefined, scoped: false, ids },
      'pino',
      stats,
    );
  };

  return build(
    async (source: AsyncIterable<unknown>) => {
      for await (const obj of source) {
        if (!client.enabled) continue;
        try {
          if (typeof obj === 'object' && obj !== null) handle(obj as Record<string, unknown>);
        } catch {
          stats.failed++;
        }
      }
    },
    {
      async close() {
        client.debug.log(`pino transport closing: ${JSON.stringify(stats)}`);
        // The SDK's timers and sockets are unref'd so they never hold an app open; in this
        // thread nothing else is left at close, and the thread would end before delivery. This
        // one ref'd handle lives only until close settles (bounded by shutdownTimeout).
        const hold = setInterval(() => {}, 1 << 30);
        try {
          await client.close(options.shutdownTimeout);
        } finally {
          clearInterval(hold);
        }
      },
    },
  );
}
