import type { ExtractedContext, Getter, InjectContext, Propagator, Setter } from './types.js';
import { single } from './types.js';

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const HEX2 = /^[0-9a-f]{2}$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';
const MAX_TRACESTATE_MEMBERS = 32;
const MAX_HEADER = 8192;

/**
 * Parses a `traceparent` per W3C Trace Context Level 2. Version 00 must be exactly 55 chars;
 * a higher version is parsed by its known fields (and must continue with `-` if longer);
 * version `ff`, upper-case hex, zero ids and anything malformed return undefined.
 */
export function parseTraceparent(value: string | undefined): { traceId: string; parentSpanId: string; flags: number } | undefined {
  if (value === undefined || value.length < 55 || value.length > MAX_HEADER) return undefined;
  const v = value.trim();
  if (v.length < 55) return undefined;
  const version = v.slice(0, 2);
  if (!HEX2.test(version) || version === 'ff') return undefined;
  if (version === '00' ? v.length !== 55 : v.length > 55 && v[55] !== '-') return undefined;
  if (v[2] !== '-' || v[35] !== '-' || v[52] !== '-') return undefined;
  const traceId = v.slice(3, 35);
  const parentSpanId = v.slice(36, 52);
  const flagsHex = v.slice(53, 55);
  if (!TRACE_ID.test(traceId) || traceId === ZERO_TRACE) return undefined;
  if (!SPAN_ID.test(parentSpanId) || parentSpanId === ZERO_SPAN) return undefined;
  if (!HEX2.test(flagsHex)) return undefined;
  return { traceId, parentSpanId, flags: Number.parseInt(flagsHex, 16) };
}

const TS_KEY = /^(?:[a-z][_0-9a-z\-*/]{0,255}|[a-z0-9][_0-9a-z\-*/]{0,240}@[a-z][_0-9a-z\-*/]{0,13})$/;
const TS_VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;

/**
 * Validates a `tracestate` (repeated headers joined with `,`). Returns the normalized value, or
 * undefined when it is invalid, empty or has more than 32 members: an invalid tracestate is
 * dropped whole and never affects `traceparent`.
 */
export function parseTracestate(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const raw = typeof value === 'string' ? value : value.join(',');
  if (raw.length > MAX_HEADER) return undefined;
  const members: string[] = [];
  const seen = new Set<string>();
  for (const part of raw.split(',')) {
    const m = part.trim();
    if (m === '') continue;
    const eq = m.indexOf('=');
    if (eq <= 0) return undefined;
    const key = m.slice(0, eq);
    const val = m.slice(eq + 1);
    if (!TS_KEY.test(key) || !TS_VALUE.test(val) || seen.has(key)) return undefined;
    seen.add(key);
    members.push(m);
    if (members.length > MAX_TRACESTATE_MEMBERS) return undefined;
  }
  return members.length > 0 ? members.join(',') : undefined;
}

export function formatTraceparent(traceId: string, spanId: string, flags: number): string {
  return `00-${traceId}-${spanId}-${flags < 16 ? '0' : ''}${(flags & 0xff).toString(16)}`;
}

/** W3C `traceparent` + `tracestate`. */
export const w3cPropagator: Propagator = {
  name: 'w3c',
  fields: [TRACEPARENT, TRACESTATE],
  extract<C>(carrier: C, get: Getter<C>): ExtractedContext | undefined {
    const tp = parseTraceparent(single(get(carrier, TRACEPARENT)));
    if (!tp) return undefined;
    return {
      traceId: tp.traceId,
      parentSpanId: tp.parentSpanId,
      sampled: (tp.flags & 1) === 1,
      traceFlags: tp.flags,
      traceState: parseTracestate(get(carrier, TRACESTATE)),
      source: 'w3c',
    };
  },
  inject<C>(ctx: InjectContext, carrier: C, set: Setter<C>): void {
    set(carrier, TRACEPARENT, formatTraceparent(ctx.traceId, ctx.spanId, ctx.traceFlags));
    if (ctx.traceState) set(carrier, TRACESTATE, ctx.traceState);
  },
};
