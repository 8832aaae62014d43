import {
  type ExtractedContext,
  type Getter,
  type InjectContext,
  type Propagator,
  type Setter,
  getCurrentHub,
} from '@sightline/core';
import { activeRegistry } from './active.js';
import { defaultInstanceName, modelParentSpanId, modelTraceId, segmentIdOf } from './ids.js';
import { peerOf } from './peer.js';

export const SW8 = 'sw8';
export const SW8_CORRELATION = 'sw8-correlation';
export const SW8_X = 'sw8-x';

/** Keys this propagator owns in `propagationData`. */
export const SW8_DATA = {
  traceId: 'sw8.traceId',
  segmentId: 'sw8.segmentId',
  spanId: 'sw8.spanId',
  service: 'sw8.service',
  instance: 'sw8.instance',
  endpoint: 'sw8.endpoint',
  address: 'sw8.address',
  correlation: 'sw8.correlation',
  /** `'1'`: sw8-x tracing mode 1, every span skips analysis. */
  skipAnalysis: 'sw8.skipAnalysis',
  /** sw8-x field 2: the caller's send time (epoch ms). */
  sendTime: 'sw8.sendTime',
} as const;

// The protocol says the value should stay under 2 KB.
const MAX_SW8 = 2048;
const MAX_CORRELATION = 1024;
const MAX_SW8_X = 256;
// Java agent defaults (correlation.element_max_number / value_max_length).
const MAX_CORRELATION_KEYS = 3;
const MAX_CORRELATION_VALUE = 128;
const MAX_ENDPOINT = 149;
const MAX_INT32 = 2_147_483_647;

// Anchored, one character class each: linear on any input.
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const INT = /^\d{1,10}$/;
const DIGITS = /^\d{1,15}$/;
const CONTROL = /[\x00-\x1f\x7f]/;

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

/** A base64 field decoded to text; undefined when malformed, too long or holding control characters. */
function field(raw: string | undefined, max: number, allowEmpty = false): string | undefined {
  if (raw === undefined) return undefined;
  if (raw === '') return allowEmpty ? '' : undefined;
  if (raw.length > max * 2 + 4 || !BASE64.test(raw)) return undefined;
  const s = Buffer.from(raw, 'base64').toString('utf8');
  if (s.length > max || CONTROL.test(s)) return undefined;
  if (s === '' && !allowEmpty) return undefined;
  return s;
}

function one(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.trim();
  return v.length === 1 ? v[0]?.trim() : undefined;
}

/** Parsed `sw8` fields, or undefined for anything that is not exactly the 8-field format. */
export function parseSw8(value: string | undefined):
  | {
      sample: boolean;
      traceId: string;
      segmentId: string;
      spanId: number;
      service: string;
      instance: string;
      endpoint: string;
      address: string;
    }
  | undefined {
  if (value === undefined || value.length === 0 || value.length > MAX_SW8) return undefined;
  const p = value.split('-');
  if (p.length !== 8) return undefined;
  const [sample, t, seg, span, svc, inst, ep, addr] = p as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  if (sample !== '0' && sample !== '1') return undefined;
  if (!INT.test(span)) return undefined;
  const spanId = Number(span);
  if (spanId > MAX_INT32) return undefined;
  const traceId = field(t, 128);
  const segmentId = field(seg, 128);
  const service = field(svc, 256);
  const instance = field(inst, 256, true);
  const endpoint = field(ep, 512);
  const address = field(addr, 256, true);
  if (traceId === undefined || segmentId === undefined || service === undefined) return undefined;
  if (instance === undefined || endpoint === undefined || address === undefined) return undefined;
  return { sample: sample === '1', traceId, segmentId, spanId, service, instance, endpoint, address };
}

/**
 * `sw8-correlation`: `base64(key):base64(value)` pairs joined by `,`. Malformed pairs are
 * skipped (like baggage members), later keys override earlier ones, and at most 3 keys with
 * values up to 128 characters are kept. Returns the canonical header value, or undefined.
 */
export function parseCorrelation(value: string | undefined): string | undefined {
  if (value === undefined || value.length === 0 || value.length > MAX_CORRELATION) return undefined;
  const kept = new Map<string, string>();
  for (const part of value.split(',')) {
    const pair = part.trim();
    const colon = pair.indexOf(':');
    if (colon <= 0 || pair.indexOf(':', colon + 1) !== -1) continue;
    const key = field(pair.slice(0, colon), 128);
    const val = field(pair.slice(colon + 1), MAX_CORRELATION_VALUE, true);
    if (key === undefined || val === undefined) continue;
    kept.delete(key);
    kept.set(key, pair);
  }
  if (kept.size === 0) return undefined;
  const pairs = [...kept.values()];
  return pairs.slice(Math.max(0, pairs.length - MAX_CORRELATION_KEYS)).join(',');
}

/** `sw8-x`: tracing mode (empty, 0 or 1) and an optional send timestamp (ms); undefined when malformed. */
export function parseSw8X(
  value: string | undefined,
): { skipAnalysis: boolean; sendTime?: string } | undefined {
  if (value === undefined || value.length === 0 || value.length > MAX_SW8_X) return undefined;
  const p = value.split('-');
  const mode = p[0]?.trim() ?? '';
  if (mode !== '' && mode !== '0' && mode !== '1') return undefined;
  const ts = p[1]?.trim();
  return { skipAnalysis: mode === '1', sendTime: ts !== undefined && DIGITS.test(ts) ? ts : undefined };
}

function fallbackService(): string {
  try {
    return getCurrentHub().client?.options.service ?? 'node';
  } catch {
    return 'node';
  }
}

/**
 * The SkyWalking cross-process headers (protocol v3): `sw8`, plus `sw8-correlation` (carried
 * unchanged, like baggage) and `sw8-x` (tracing mode 1 is passed on). Invalid headers are
 * ignored. The SkyWalking parent (trace, segment, span number, service, instance, endpoint and
 * the address the caller used) travels in `propagationData`, so the exporter can give the entry
 * span its CrossProcess ref; outbound, `sw8` names this process's segment and the span's number
 * in it. Registered as `'sw8'` by `skywalkingExporter()`.
 *
 * @example
 * init({ exporters: [skywalkingExporter()], propagators: ['sw8', 'w3c', 'allstak'] });
 */
export const sw8Propagator: Propagator = {
  name: 'sw8',
  fields: [SW8, SW8_CORRELATION, SW8_X],
  extract<C>(carrier: C, get: Getter<C>): ExtractedContext | undefined {
    const sw = parseSw8(one(get(carrier, SW8)));
    if (!sw) return undefined;
    const data: Record<string, string> = {
      [SW8_DATA.traceId]: sw.traceId,
      [SW8_DATA.segmentId]: sw.segmentId,
      [SW8_DATA.spanId]: String(sw.spanId),
      [SW8_DATA.service]: sw.service,
      [SW8_DATA.instance]: sw.instance,
      [SW8_DATA.endpoint]: sw.endpoint,
      [SW8_DATA.address]: sw.address,
    };
    const correlation = parseCorrelation(one(get(carrier, SW8_CORRELATION)));
    if (correlation !== undefined) data[SW8_DATA.correlation] = correlation;
    const x = parseSw8X(one(get(carrier, SW8_X)));
    if (x?.skipAnalysis) data[SW8_DATA.skipAnalysis] = '1';
    if (x?.sendTime !== undefined) data[SW8_DATA.sendTime] = x.sendTime;
    return {
      traceId: modelTraceId(sw.traceId),
      parentSpanId: modelParentSpanId(sw.segmentId, sw.spanId),
      // Sample 0 means "may be ignored", not "must not trace": the local sampler decides.
      sampled: sw.sample ? true : undefined,
      traceFlags: sw.sample ? 1 : undefined,
      source: 'sw8',
      propagationData: data,
    };
  },
  inject<C>(ctx: InjectContext, carrier: C, set: Setter<C>): void {
    const pd = ctx.propagationData;
    const registry = activeRegistry();
    const span = ctx.span;
    let segmentId: string;
    let spanId: number;
    let endpoint: string;
    let address: string;
    if (span) {
      const root = span.localRoot;
      const placed = ctx.sampled ? registry?.place(ctx.traceId, root.spanId, span.spanId) : undefined;
      segmentId = placed?.segmentId ?? segmentIdOf(ctx.traceId, root.spanId, 0);
      spanId = placed?.spanId ?? 0;
      endpoint = root.name;
      address = peerOf(span.tags);
    } else if (pd?.[SW8_DATA.segmentId] !== undefined) {
      // No local span: this process only forwards the caller's context, unchanged.
      segmentId = pd[SW8_DATA.segmentId] as string;
      spanId = Number(pd[SW8_DATA.spanId] ?? 0);
      endpoint = pd[SW8_DATA.endpoint] ?? '';
      address = pd[SW8_DATA.address] ?? '';
    } else {
      return;
    }
    const forwarded = !span && pd !== undefined;
    const service = forwarded ? (pd[SW8_DATA.service] ?? '') : (registry?.service ?? fallbackService());
    const instance = forwarded
      ? (pd[SW8_DATA.instance] ?? '')
      : (registry?.instance ?? defaultInstanceName());
    if (endpoint.length > MAX_ENDPOINT) endpoint = endpoint.slice(0, MAX_ENDPOINT);
    const value = [
      ctx.sampled ? '1' : '0',
      b64(pd?.[SW8_DATA.traceId] ?? ctx.traceId),
      b64(segmentId),
      String(spanId),
      b64(service),
      b64(instance),
      b64(endpoint),
      b64(address),
    ].join('-');
    set(carrier, SW8, value);
    const correlation = pd?.[SW8_DATA.correlation];
    if (correlation !== undefined) set(carrier, SW8_CORRELATION, correlation);
    if (pd?.[SW8_DATA.skipAnalysis] === '1') set(carrier, SW8_X, '1');
  },
};
