import {
  type ErrorEvent,
  type Exporter,
  type ExporterSetup,
  type ItemKind,
  type ItemKinds,
  type LogCorrelationContext,
  SDK_VERSION,
  type SpanRecord,
  type Transport,
  type TransportExecutor,
  type TransportStats,
  createHttpExecutor,
  createTransport,
  registerPropagator,
  registerSdkOrigin,
  stackTraceLines,
} from '@sightline/core';
import { type EncodeContext, type SpanError, encodeTraces } from './encode.js';
import { hexToDecimal, isHex16, traceIdLowDecimal } from './ids.js';
import { type DatadogExporterOptions, resolveDatadogOptions } from './options.js';
import { datadogPropagator } from './propagator.js';

/** Stats of the Datadog exporter: the transport's, plus the agent's last `rate_by_service`. */
export interface DatadogExporterStats extends TransportStats {
  /** What the agent last answered, e.g. `{ 'service:checkout,env:prod': 0.5 }`. Information only: Sightline's own sampler decides. */
  rateByService: Record<string, number> | undefined;
}

// Errors wait here for their span; bounded so errors whose span is never sent cannot pile up.
const MAX_PENDING_ERRORS = 1000;
const MAX_RATES_BODY = 64 * 1024;
const TRACE_ID_32 = /^[0-9a-f]{32}$/;

function parseRates(body: string | undefined): Record<string, number> | undefined {
  if (!body) return undefined;
  try {
    const rates = JSON.parse(body)?.rate_by_service;
    if (rates === null || typeof rates !== 'object') return undefined;
    const out: Record<string, number> = {};
    for (const k of Object.keys(rates).slice(0, 1000)) if (typeof rates[k] === 'number') out[k] = rates[k];
    return out;
  } catch {
    return undefined;
  }
}

function errorOf(e: ErrorEvent): SpanError {
  const ex = e.exception;
  const stack = ex.frames.length > 0 ? [`${ex.type}: ${ex.value}`, ...stackTraceLines(ex.frames)].join('\n') : undefined;
  return stack ? { type: ex.type, message: ex.value, stack } : { type: ex.type, message: ex.value };
}

/**
 * Sends spans to a Datadog agent (`PUT /v0.4/traces`, JSON with exact uint64 ids) through the
 * same bounded transport as AllStak: batching, retry with backoff, 429 holds, bounded queues.
 * Also registers the `datadog` propagator (choose it with `propagators`) and, while active,
 * gives logger integrations Datadog's `dd.*` correlation fields. Reads `DD_TRACE_AGENT_URL`,
 * `DD_AGENT_HOST`, `DD_TRACE_AGENT_PORT`, `DD_SERVICE`, `DD_ENV` and `DD_VERSION`.
 *
 * @example
 * init({ exporters: [datadogExporter()], propagators: ['datadog', 'w3c'], service: 'checkout' });
 */
export function datadogExporter(options?: DatadogExporterOptions): Exporter {
  const o = resolveDatadogOptions(options);
  registerPropagator('datadog', datadogPropagator);
  let transport: Transport | undefined;
  let rateByService: Record<string, number> | undefined;
  let debug: ((m: string) => void) | undefined;
  const pendingErrors = new Map<string, SpanError>();
  const ctx: EncodeContext = {
    service: o.service,
    env: o.env,
    version: o.version,
    errorFor(spanId) {
      const e = pendingErrors.get(spanId);
      if (e) pendingErrors.delete(spanId);
      return e;
    },
  };
  const headersBase = {
    'content-type': 'application/json',
    'datadog-meta-lang': 'nodejs',
    'datadog-meta-lang-version': process.version,
    'datadog-meta-lang-interpreter': 'v8',
    'datadog-meta-tracer-version': SDK_VERSION,
  };

  const encode = (_category: string, items: readonly unknown[]) => {
    const { body, traceCount } = encodeTraces(items as SpanRecord[], ctx);
    return {
      url: o.tracesUrl,
      method: 'PUT' as const,
      headers: { ...headersBase, 'x-datadog-trace-count': String(traceCount) },
      body,
    };
  };

  return {
    name: 'datadog',
    accepts: (kind) => o.kinds.has(kind as never),
    setup(setup: ExporterSetup) {
      const c = setup.options;
      ctx.service ??= c.service;
      ctx.env ??= c.environment;
      ctx.version ??= c.release;
      registerSdkOrigin(setup.client, o.tracesUrl);
      debug = setup.debug.enabled ? (m: string) => setup.debug.log(`datadog: ${m}`) : undefined;
      const http = createHttpExecutor({ timeoutMs: o.timeoutMs, maxResponseBytes: MAX_RATES_BODY });
      const executor: TransportExecutor = async (req) => {
        const res = await http(req);
        const rates = res.status >= 200 && res.status < 300 ? parseRates(res.body) : undefined;
        if (rates) {
          rateByService = rates;
          debug?.(`agent rate_by_service: ${JSON.stringify(rates).slice(0, 300)}`);
        }
        return res;
      };
      const factory = c.transport ?? createTransport;
      transport = factory({
        categories: { traces: { batched: true } },
        encode,
        executor,
        queueSize: c.transportQueueSize,
        maxBatchSize: c.maxBatchSize,
        flushInterval: c.flushInterval,
        // Never gzip: the agent's trace intake does not take compressed bodies.
        compression: 'none',
        ...o.transport,
        debug,
      });
    },
    export<K extends ItemKind>(kind: K, item: ItemKinds[K]): boolean {
      if (transport === undefined) return false;
      if (kind === 'span') return transport.send('traces', item);
      if (kind === 'error') {
        const e = item as ErrorEvent;
        if (!e.spanId) return true;
        if (pendingErrors.size >= MAX_PENDING_ERRORS) {
          const oldest = pendingErrors.keys().next().value;
          if (oldest !== undefined) pendingErrors.delete(oldest);
        }
        if (!pendingErrors.has(e.spanId)) pendingErrors.set(e.spanId, errorOf(e));
        return true;
      }
      return false;
    },
    flush: (timeoutMs) => (transport ? transport.flush(timeoutMs) : Promise.resolve(true)),
    close: async (timeoutMs) => {
      const ok = transport ? await transport.close(timeoutMs) : true;
      pendingErrors.clear();
      return ok;
    },
    getStats: (): DatadogExporterStats | undefined => (transport ? { ...transport.getStats(), rateByService } : undefined),
    logFields: o.logInjection ? (ids: LogCorrelationContext) => datadogLogFields(ids, ctx) : undefined,
  };
}

/** Datadog's log correlation fields: decimal ids (low 64 bits of the trace id), service, env, version. */
function datadogLogFields(ids: LogCorrelationContext, ctx: EncodeContext): Record<string, string> {
  const out: Record<string, string> = {};
  if (ids.traceId && TRACE_ID_32.test(ids.traceId)) {
    out['dd.trace_id'] = traceIdLowDecimal(ids.traceId);
    if (ids.spanId && isHex16(ids.spanId)) out['dd.span_id'] = hexToDecimal(ids.spanId);
  }
  if (ctx.service) out['dd.service'] = ctx.service;
  if (ctx.env) out['dd.env'] = ctx.env;
  if (ctx.version) out['dd.version'] = ctx.version;
  return out;
}
