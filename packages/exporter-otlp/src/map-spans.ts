import type { SpanRecord } from '@sightline/core';
import { int, keyValues, msToNanos, serverAttributes, str } from './attributes.js';
import type { KeyValue, OtlpEvent, OtlpSpan } from './model.js';

const KIND = { internal: 1, server: 2, client: 3 } as const;
const STATUS_ERROR = 2;

// Sightline's tag names → OpenTelemetry HTTP semantic conventions (v1.23+ stable names).
const RENAMED: Record<string, string> = {
  'http.method': 'http.request.method',
  'http.url': 'url.full',
};
// Tags rewritten below with their proper types, or mapped from elsewhere.
const HANDLED = new Set(['http.status_code', 'server.address']);

function statusCodeAttr(v: string | undefined, out: KeyValue[]): void {
  const n = Number(v);
  if (v !== undefined && Number.isInteger(n) && n > 0) out.push(int('http.response.status_code', n));
}

function urlAttributes(full: string, out: KeyValue[]): void {
  try {
    const u = new URL(full);
    out.push(str('url.scheme', u.protocol.slice(0, -1)), str('url.path', u.pathname));
  } catch {
    // Not a URL we can split: url.full alone still says it.
  }
}

/** One model span as an OTLP span, HTTP tags mapped onto the semantic conventions. */
export function mapSpan(s: SpanRecord): OtlpSpan {
  const tags = s.tags ?? {};
  const attributes: KeyValue[] = [];
  for (const key of Object.keys(tags)) {
    if (HANDLED.has(key)) continue;
    attributes.push(str(RENAMED[key] ?? key, tags[key] as string));
  }
  statusCodeAttr(tags['http.status_code'], attributes);
  const req = s.request;
  if (req) {
    if (req.path) attributes.push(str('url.path', req.path));
    if (req.host) serverAttributes(req.host, attributes);
    if (req.userAgent) attributes.push(str('user_agent.original', req.userAgent));
    if (req.route && tags['http.route'] === undefined) attributes.push(str('http.route', req.route));
    if (req.method && tags['http.method'] === undefined) attributes.push(str('http.request.method', req.method));
  } else {
    if (tags['server.address']) serverAttributes(tags['server.address'], attributes);
    if (tags['http.url']) urlAttributes(tags['http.url'], attributes);
  }
  if (s.description !== undefined && s.description !== s.name) attributes.push(str('sightline.description', s.description));
  if (s.data) keyValues(s.data, 0, attributes);

  const events: OtlpEvent[] = [];
  let errorMessage: string | undefined;
  for (const e of s.events ?? []) {
    events.push({ timeUnixNano: msToNanos(e.time), name: e.name, attributes: keyValues(e.attributes) });
    if (e.name === 'exception' && errorMessage === undefined) errorMessage = e.attributes['exception.message'];
  }

  const method = tags['http.method'];
  // HTTP client span names are the method alone (semconv): the path would explode cardinality.
  const name = s.kind === 'client' && method !== undefined && s.name === 'http.client' ? method : s.name;
  const span: OtlpSpan = {
    traceId: s.traceId,
    spanId: s.spanId,
    flags: s.traceFlags & 0xff,
    name,
    kind: KIND[s.kind] ?? 1,
    startTimeUnixNano: msToNanos(s.startTime),
    endTimeUnixNano: msToNanos(Math.max(s.startTime, s.endTime)),
    attributes,
    events,
    // Success stays "unset", as OpenTelemetry's own HTTP instrumentations leave it.
    status: s.status === 'error' ? (errorMessage ? { code: STATUS_ERROR, message: errorMessage } : { code: STATUS_ERROR }) : {},
  };
  if (s.parentSpanId) span.parentSpanId = s.parentSpanId;
  if (s.traceState) span.traceState = s.traceState;
  return span;
}
