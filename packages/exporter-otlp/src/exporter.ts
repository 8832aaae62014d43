import {
  type ErrorEvent,
  type Exporter,
  type ExporterSetup,
  type ItemKind,
  type ItemKinds,
  type LogRecord,
  type SpanRecord,
  type Transport,
  type TransportRequest,
  createHttpExecutor,
  createTransport,
  registerSdkOrigin,
} from '@sightline/core';
import { mapError, mapLog } from './map-logs.js';
import { mapSpan } from './map-spans.js';
import type { ExportLogsServiceRequest, ExportTraceServiceRequest, InstrumentationScope, OtlpLogRecord, Resource } from './model.js';
import { type OtlpExporterOptions, resolveOtlpOptions } from './options.js';
import { encodeLogsProto, encodeTracesProto } from './protobuf.js';
import { buildResource } from './resource.js';

const CATEGORY: Partial<Record<ItemKind, string>> = { span: 'traces', log: 'logs', error: 'errors' };

/**
 * Exports spans to `/v1/traces` and logs and errors to `/v1/logs` over OTLP/HTTP (JSON by
 * default, or protobuf), through the same bounded transport as AllStak: batching, gzip, retry
 * with backoff on 408/5xx/network errors, 429 holds, bounded queues, drops counted in stats.
 * Validates its options at once (throws `TypeError`); reads the `OTEL_EXPORTER_OTLP_*`,
 * `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` variables.
 *
 * @example
 * init({ exporters: [otlpExporter({ endpoint: 'http://localhost:4318' })], service: 'checkout' });
 */
export function otlpExporter(options?: OtlpExporterOptions): Exporter {
  const o = resolveOtlpOptions(options);
  let transport: Transport | undefined;
  let resource: Resource = { attributes: [] };
  let scope: InstrumentationScope = { name: 'sightline' };
  const contentType = o.protobuf ? 'application/x-protobuf' : 'application/json';

  const encode = (category: string, items: readonly unknown[]): TransportRequest => {
    const headers = { ...o.headers, 'content-type': contentType };
    if (category === 'traces') {
      const body: ExportTraceServiceRequest = {
        resourceSpans: [{ resource, scopeSpans: [{ scope, spans: items.map((s) => mapSpan(s as SpanRecord)) }] }],
      };
      return { url: o.tracesUrl, method: 'POST', headers, body: o.protobuf ? encodeTracesProto(body) : JSON.stringify(body) };
    }
    const logRecords: OtlpLogRecord[] =
      category === 'errors' ? items.map((e) => mapError(e as ErrorEvent)) : items.map((l) => mapLog(l as LogRecord));
    const body: ExportLogsServiceRequest = { resourceLogs: [{ resource, scopeLogs: [{ scope, logRecords }] }] };
    return { url: o.logsUrl, method: 'POST', headers, body: o.protobuf ? encodeLogsProto(body) : JSON.stringify(body) };
  };

  return {
    name: 'otlp',
    accepts: (kind) => o.kinds.has(kind as never),
    setup(ctx: ExporterSetup) {
      const c = ctx.options;
      resource = buildResource(o, c, ctx.sdkVersion);
      scope = { name: 'sightline', version: ctx.sdkVersion };
      // The exporter's own requests must never show up as outbound spans.
      registerSdkOrigin(ctx.client, o.tracesUrl);
      registerSdkOrigin(ctx.client, o.logsUrl);
      const factory = c.transport ?? createTransport;
      transport = factory({
        categories: { traces: { batched: true }, logs: { batched: true }, errors: { batched: true } },
        encode,
        executor: createHttpExecutor({ timeoutMs: o.timeoutMs }),
        queueSize: c.transportQueueSize,
        maxBatchSize: c.maxBatchSize,
        flushInterval: c.flushInterval,
        // Explicit either way: OTLP's own setting decides, not the transport's loopback default.
        compression: o.compression ? 'gzip' : 'none',
        ...o.transport,
        debug: ctx.debug.enabled ? (m: string) => ctx.debug.log(`otlp: ${m}`) : undefined,
      });
    },
    export<K extends ItemKind>(kind: K, item: ItemKinds[K]): boolean {
      const category = CATEGORY[kind];
      return transport !== undefined && category !== undefined && transport.send(category, item);
    },
    flush: (timeoutMs) => (transport ? transport.flush(timeoutMs) : Promise.resolve(true)),
    close: (timeoutMs) => (transport ? transport.close(timeoutMs) : Promise.resolve(true)),
    getStats: () => transport?.getStats(),
  };
}
