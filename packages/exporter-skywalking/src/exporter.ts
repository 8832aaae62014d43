import { hostname } from 'node:os';
import {
  type Exporter,
  type ExporterSetup,
  type ItemKind,
  type ItemKinds,
  type SpanRecord,
  type Transport,
  type TransportRequest,
  createHttpExecutor,
  createTransport,
  registerPropagator,
  registerSdkOrigin,
} from '@sightline/core';
import { activateRegistry, deactivateRegistry } from './active.js';
import { defaultInstanceName } from './ids.js';
import { type Identity, mapSegment } from './map-segment.js';
import {
  type ResolvedSkyWalkingOptions,
  type SkyWalkingExporterOptions,
  resolveSkyWalkingOptions,
} from './options.js';
import { type AssemblerStats, type PendingSegment, SegmentAssembler } from './segments.js';
import { sw8Propagator } from './sw8.js';
import type { InstancePingPkg, InstanceProperties } from './wire.js';

const SEGMENTS = 'segments';
const PROPERTIES = 'properties';
const KEEP_ALIVE = 'keepAlive';
const PATHS: Record<string, string> = {
  [SEGMENTS]: '/v3/segments',
  [PROPERTIES]: '/v3/management/reportProperties',
  [KEEP_ALIVE]: '/v3/management/keepAlive',
};

export interface SkyWalkingExporterStats {
  transport: ReturnType<Transport['getStats']> | undefined;
  segments: AssemblerStats | undefined;
}

function instanceProperties(idn: Identity, sdkVersion: string): InstanceProperties {
  let host = '';
  try {
    host = hostname();
  } catch {}
  return {
    service: idn.service,
    serviceInstance: idn.instance,
    properties: [
      { key: 'language', value: 'NodeJS' },
      { key: 'OS Name', value: process.platform },
      { key: 'hostname', value: host },
      { key: 'Process No.', value: String(process.pid) },
      { key: 'sdk', value: `sightline-node/${sdkVersion}` },
    ],
  };
}

/**
 * Reports spans to an Apache SkyWalking OAP over its HTTP receiver: one trace segment per local
 * root (a request's server span, or a span started without a local parent) per process, sent as
 * JSON arrays to `POST /v3/segments`, plus the instance heartbeat (`/v3/management/keepAlive` and
 * `/v3/management/reportProperties`). Server spans become Entry spans (span 0), outbound calls
 * Exit spans with `peer`, everything else Local spans. Registers the `'sw8'` propagator; list it
 * in `propagators` to continue SkyWalking traces and to send `sw8` on outbound calls.
 * Delivery goes through core's bounded transport (retry with backoff, 429 holds, counted drops).
 *
 * @example
 * init({
 *   service: 'checkout',
 *   exporters: [skywalkingExporter({ address: 'http://oap:12800' })],
 *   propagators: ['sw8', 'w3c', 'allstak'],
 * });
 */
export function skywalkingExporter(options?: SkyWalkingExporterOptions): Exporter {
  const o: ResolvedSkyWalkingOptions = resolveSkyWalkingOptions(options);
  registerPropagator('sw8', sw8Propagator);
  let transport: Transport | undefined;
  let assembler: SegmentAssembler | undefined;
  let identity: Identity = {
    service: o.service ?? 'node',
    instance: o.serviceInstance ?? defaultInstanceName(),
  };
  let sdkVersion = '';
  const timers: NodeJS.Timeout[] = [];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.authentication !== undefined) headers.authentication = o.authentication;

  const encode = (category: string, items: readonly unknown[]): TransportRequest => {
    let body: unknown;
    if (category === SEGMENTS) body = items.map((s) => mapSegment(s as PendingSegment, identity));
    else if (category === PROPERTIES) body = instanceProperties(identity, sdkVersion);
    else body = { service: identity.service, serviceInstance: identity.instance } satisfies InstancePingPkg;
    return {
      url: `${o.address}${PATHS[category]}`,
      method: 'POST',
      headers: { ...headers },
      body: JSON.stringify(body),
    };
  };

  const heartbeat = (): void => {
    transport?.send(PROPERTIES, 1);
    transport?.send(KEEP_ALIVE, 1);
  };

  const stopTimers = (): void => {
    for (const t of timers.splice(0)) clearInterval(t);
  };

  return {
    name: 'skywalking',
    accepts: (kind: ItemKind) => kind === 'span',
    setup(ctx: ExporterSetup) {
      const c = ctx.options;
      sdkVersion = ctx.sdkVersion;
      identity = { service: o.service ?? c.service, instance: o.serviceInstance ?? defaultInstanceName() };
      // The exporter's own requests must never show up as outbound spans.
      registerSdkOrigin(ctx.client, o.address);
      const factory = c.transport ?? createTransport;
      const t = factory({
        categories: {
          [SEGMENTS]: { batched: true },
          [PROPERTIES]: { batched: false },
          [KEEP_ALIVE]: { batched: false },
        },
        encode,
        executor: createHttpExecutor({ timeoutMs: o.timeoutMs }),
        queueSize: c.transportQueueSize,
        maxBatchSize: c.maxBatchSize,
        flushInterval: c.flushInterval,
        // The OAP's HTTP receiver is not documented to take gzip request bodies: never compress.
        compression: 'none',
        ...o.transport,
        debug: ctx.debug.enabled ? (m: string) => ctx.debug.log(`skywalking: ${m}`) : undefined,
      });
      transport = t;
      const a = new SegmentAssembler({
        service: identity.service,
        instance: identity.instance,
        segmentTimeout: o.segmentTimeout,
        maxSpansPerSegment: o.maxSpansPerSegment,
        maxBufferedSpans: o.maxBufferedSpans,
        maxOpenSegments: Math.max(100, Math.floor(o.maxBufferedSpans / 2)),
        emit: (segment) => {
          t.send(SEGMENTS, segment);
        },
      });
      assembler = a;
      activateRegistry(a);
      // Follow-up segments wait one sweep so late siblings travel together.
      const sweepMs = Math.min(1000, Math.max(10, Math.floor(o.segmentTimeout / 10)));
      const sweep = setInterval(() => {
        try {
          a.sweep(Date.now(), sweepMs);
        } catch (err) {
          ctx.debug.log(`skywalking: segment sweep failed: ${String((err as Error)?.message ?? err)}`);
        }
      }, sweepMs);
      sweep.unref();
      const beat = setInterval(heartbeat, o.keepAliveInterval);
      beat.unref();
      timers.push(sweep, beat);
      heartbeat();
    },
    export<K extends ItemKind>(kind: K, item: ItemKinds[K]): boolean {
      if (kind !== 'span' || !assembler) return false;
      return assembler.add(item as SpanRecord);
    },
    flush(timeoutMs: number) {
      assembler?.flushEnded();
      return transport ? transport.flush(timeoutMs) : Promise.resolve(true);
    },
    close(timeoutMs: number) {
      stopTimers();
      if (assembler) {
        assembler.drain();
        deactivateRegistry(assembler);
      }
      return transport ? transport.close(timeoutMs) : Promise.resolve(true);
    },
    getStats: (): SkyWalkingExporterStats => ({
      transport: transport?.getStats(),
      segments: assembler?.getStats(),
    }),
  };
}
