import type { SpanRecord } from '@sightline/core';
import { hexToDecimal, traceIdLowDecimal } from './ids.js';
import { ORIGIN_KEY, samplingPriority, traceTags } from './propagator.js';

/** What the encoder knows besides the span: the service identity and errors captured on spans. */
export interface EncodeContext {
  service: string | undefined;
  env: string | undefined;
  version: string | undefined;
  /** An error captured while the span was open, by span id. */
  errorFor(spanId: string): SpanError | undefined;
}

export interface SpanError {
  type: string;
  message: string;
  stack?: string;
}

/** A v0.4 span before serialization; ids and times are decimal integer text. */
interface DdSpan {
  traceId: string;
  spanId: string;
  parentId: string;
  name: string;
  resource: string;
  service: string;
  type: string;
  start: string;
  duration: string;
  error: 0 | 1;
  meta: Record<string, string>;
  metrics: Record<string, number>;
}

function nanos(ms: number): bigint {
  if (!Number.isFinite(ms) || ms <= 0) return 0n;
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
}

function names(s: SpanRecord): { name: string; resource: string; type: string } {
  const method = s.tags?.['http.method'] ?? s.request?.method;
  if (s.kind === 'server' && method !== undefined) return { name: 'web.request', resource: s.name, type: 'web' };
  // dd-trace names HTTP client resources by method alone: the path would explode cardinality.
  if (s.kind === 'client' && method !== undefined) return { name: 'http.request', resource: method, type: 'http' };
  return { name: s.name, resource: s.description ?? s.name, type: 'custom' };
}

function mapSpan(s: SpanRecord, ctx: EncodeContext, firstInChunk: boolean): DdSpan {
  const { name, resource, type } = names(s);
  const meta: Record<string, string> = {};
  const metrics: Record<string, number> = {};
  const tags = s.tags ?? {};
  for (const k of Object.keys(tags)) meta[k] = tags[k] as string;
  const req = s.request;
  if (req) {
    if (req.method) meta['http.method'] ??= req.method;
    if (req.route) meta['http.route'] ??= req.route;
    if (req.host && req.path) meta['http.url'] = `http://${req.host}${req.path}`;
    if (req.userAgent) meta['http.useragent'] = req.userAgent;
  }
  if (s.data) {
    for (const k of Object.keys(s.data)) {
      const v = s.data[k];
      if (typeof v === 'number' && Number.isFinite(v)) metrics[k] = v;
      else if (typeof v === 'boolean') metrics[k] = v ? 1 : 0;
      else if (typeof v === 'string') meta[k] = v;
      else if (v !== undefined && v !== null) {
        try {
          meta[k] = JSON.stringify(v);
        } catch {}
      }
    }
  }
  meta['span.kind'] = s.kind;
  meta.language = 'javascript';
  meta.component = tags.framework ?? 'sightline';
  const env = ctx.env ?? s.environment;
  const version = ctx.version ?? s.release;
  if (env) meta.env = env;
  if (version) meta.version = version;
  const origin = s.propagationData?.[ORIGIN_KEY];
  if (origin) meta['_dd.origin'] = origin;
  // Trace-level tags ride on the first span of each chunk, as dd-trace writes them.
  if (firstInChunk) Object.assign(meta, traceTags(s.traceId, s.propagationData));

  let error: 0 | 1 = s.status === 'error' ? 1 : 0;
  const ex = s.events?.find((e) => e.name === 'exception');
  const captured = ex ? undefined : ctx.errorFor(s.spanId);
  if (ex) {
    meta['error.type'] = ex.attributes['exception.type'] ?? 'Error';
    meta['error.message'] = ex.attributes['exception.message'] ?? '';
    if (ex.attributes['exception.stacktrace']) meta['error.stack'] = ex.attributes['exception.stacktrace'];
  } else if (captured) {
    error = 1;
    meta['error.type'] = captured.type;
    meta['error.message'] = captured.message;
    if (captured.stack) meta['error.stack'] = captured.stack;
  }

  metrics._sampling_priority_v1 = samplingPriority(s.sampled, s.propagationData);
  const localRoot = s.localRootSpanId !== undefined ? s.localRootSpanId === s.spanId : s.kind === 'server' || s.parentSpanId === '';
  if (localRoot) {
    metrics['_dd.top_level'] = 1;
    metrics.process_id = process.pid;
  }
  if (s.kind !== 'internal') metrics['_dd.measured'] = 1;

  const start = nanos(s.startTime);
  const end = nanos(Math.max(s.startTime, s.endTime));
  return {
    traceId: traceIdLowDecimal(s.traceId),
    spanId: hexToDecimal(s.spanId),
    parentId: s.parentSpanId ? hexToDecimal(s.parentSpanId) : '0',
    name,
    resource,
    service: ctx.service ?? s.service ?? 'node',
    type,
    start: start.toString(),
    duration: (end - start).toString(),
    error,
    meta,
    metrics,
  };
}

// Ids go out as raw integer text: JSON.stringify of a Number loses precision above 2^53, and
// the agent decodes these fields into uint64 (a quoted string would fail).
function spanJson(d: DdSpan): string {
  return (
    `{"trace_id":${d.traceId},"span_id":${d.spanId},"parent_id":${d.parentId}` +
    `,"name":${JSON.stringify(d.name)},"resource":${JSON.stringify(d.resource)},"service":${JSON.stringify(d.service)}` +
    `,"type":${JSON.stringify(d.type)},"start":${d.start},"duration":${d.duration},"error":${d.error}` +
    `,"meta":${JSON.stringify(d.meta)},"metrics":${JSON.stringify(d.metrics)}}`
  );
}

/**
 * Model spans as the agent's v0.4 JSON body: an array of traces (chunks), each an array of
 * spans. Returns the body and the number of traces (for `X-Datadog-Trace-Count`).
 */
export function encodeTraces(spans: readonly SpanRecord[], ctx: EncodeContext): { body: string; traceCount: number } {
  const chunks = new Map<string, SpanRecord[]>();
  for (const s of spans) {
    const list = chunks.get(s.traceId);
    if (list) list.push(s);
    else chunks.set(s.traceId, [s]);
  }
  const parts: string[] = [];
  for (const list of chunks.values()) {
    parts.push(`[${list.map((s, i) => spanJson(mapSpan(s, ctx, i === 0))).join(',')}]`);
  }
  return { body: `[${parts.join(',')}]`, traceCount: chunks.size };
}
