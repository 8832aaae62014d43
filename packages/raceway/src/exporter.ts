import {
  type Exporter,
  type ExporterSetup,
  type Transport,
  type TransportStats,
  createHttpExecutor,
  createTransport,
  registerPropagator,
  registerSdkOrigin,
} from '@sightline/core';
import { type CapturedEvent, type EncodeContext, encodeEvent } from './encode.js';
import { type RacewayExporterOptions, resolveRacewayOptions } from './options.js';
import { racewayClockPropagator } from './propagator.js';
import { RacewayRuntime, type RuntimeStats, clearActiveRuntime, setActiveRuntime } from './runtime.js';

/** The exporter's stats: the transport's (per category `events`) plus the tracking side's. */
export interface RacewayExporterStats extends TransportStats {
  raceway: RuntimeStats;
}


/**
 * Sends Raceway events — what `trackStateChange`, `trackFunction`, `withLock` and friends record
 * on core's per-request context — to a Raceway server or the Sightline collector:
 * `POST <url>/events` with `{ "events": [...] }`, batches of up to 100 or every second, over the
 * shared transport (bounded queue, retry with backoff, 429 holds; no unbounded re-queue).
 * Registers the `raceway-clock` propagator: list it in `propagators` to carry vector clocks
 * across services. It takes none of core's own item kinds, so it also works without an
 * AllStak key.
 *
 * @example
 * init({
 *   service: 'payments',
 *   exporters: [racewayExporter({ url: 'http://127.0.0.1:8080' })],
 *   propagators: ['w3c', 'allstak', 'raceway-clock'],
 * });
 */
export function racewayExporter(options?: RacewayExporterOptions): Exporter {
  const o = resolveRacewayOptions(options);
  registerPropagator('raceway-clock', racewayClockPropagator);
  let transport: Transport | undefined;
  let runtime: RacewayRuntime | undefined;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.apiKey !== undefined) headers.authorization = `Bearer ${o.apiKey}`;

  return {
    name: 'raceway',
    accepts: () => false,
    setup(setup: ExporterSetup) {
      const c = setup.options;
      const enc: EncodeContext = {
        serviceName: o.serviceName ?? c.service ?? 'unknown-service',
        instanceId: o.instanceId,
        environment: o.environment ?? c.environment,
      };
      registerSdkOrigin(setup.client, o.eventsUrl);
      const debug = setup.debug.enabled ? (m: string) => setup.debug.log(`raceway: ${m}`) : undefined;
      const { executor, ...tuning } = o.transport;
      const factory = c.transport ?? createTransport;
      transport = factory({
        categories: { events: { batched: true } },
        encode: (_category, items) => ({
          url: o.eventsUrl,
          method: 'POST',
          headers,
          body: JSON.stringify({ events: (items as CapturedEvent[]).map((e) => encodeEvent(e, enc)) }),
        }),
        executor: executor ?? createHttpExecutor({ timeoutMs: o.timeoutMs }),
        // Raceway's server (axum, no decompression layer) does not take gzip bodies.
        compression: 'none',
        ...tuning,
        debug,
      });
      runtime = new RacewayRuntime(
        {
          encode: enc,
          tags: { sdk_language: 'typescript', sdk_name: 'sightline', ...o.tags },
          maxContexts: o.maxContexts,
          maxLocks: o.maxLocks,
          captureLocation: o.captureLocation,
          scrub: !c.sendDefaultPii,
          debug,
        },
        transport,
      );
      runtime.start();
      setActiveRuntime(runtime);
    },
    export: () => false,
    flush: (timeoutMs) => (transport ? transport.flush(timeoutMs) : Promise.resolve(true)),
    close: async (timeoutMs) => {
      if (runtime) {
        runtime.stop();
        clearActiveRuntime(runtime);
      }
      return transport ? transport.close(timeoutMs) : true;
    },
    getStats: (): RacewayExporterStats | undefined =>
      transport && runtime ? { ...transport.getStats(), raceway: runtime.stats() } : undefined,
  };
}
