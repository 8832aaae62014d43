import { type ExtractedContext, type Getter, type InjectContext, type Propagator, type Setter, parseTraceparent, parseTracestate } from '@sightline/core';
import { ZERO16, decimalToHex16, hexToDecimal, isHex16 } from './ids.js';

export const TRACE_ID = 'x-datadog-trace-id';
export const PARENT_ID = 'x-datadog-parent-id';
export const SAMPLING_PRIORITY = 'x-datadog-sampling-priority';
export const ORIGIN = 'x-datadog-origin';
export const TAGS = 'x-datadog-tags';

/** `propagationData` keys this propagator owns (plus the `_dd.p.*` trace tags under their own names). */
export const PRIORITY_KEY = 'datadog.sampling_priority';
export const ORIGIN_KEY = 'datadog.origin';
const TID = '_dd.p.tid';

/** dd-trace's default `DD_TRACE_X_DATADOG_TAGS_MAX_LENGTH`. */
const MAX_TAGS_LENGTH = 512;
const PRIORITY = /^-?[0-9]{1,3}$/;
const ORIGIN_VALUE = /^[\x21-\x2b\x2d-\x7e]{1,256}$/;
// dd-trace's rules for x-datadog-tags (text_map.js): keys `_dd.p.<printable, no comma>`, values printable without comma.
const TAG_KEY = /^_dd\.p\.[\x21-\x2b\x2d-\x7e]+$/;
const TAG_VALUE = /^[\x20-\x2b\x2d-\x7e]*$/;
const TRACE_ID_32 = /^[0-9a-f]{32}$/;

function one(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v.trim();
  return v.length === 1 ? v[0]?.trim() : undefined;
}

/** `_dd.p.*` members of `x-datadog-tags`; malformed input yields none (as dd-trace does). */
function parseTags(raw: string | undefined): Record<string, string> | undefined {
  if (raw === undefined || raw === '' || raw.length > MAX_TAGS_LENGTH) return undefined;
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) return undefined;
    const key = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    if (!TAG_KEY.test(key) || !TAG_VALUE.test(value)) return undefined;
    // An invalid trace id high half is skipped alone.
    if (key === TID && !isHex16(value)) continue;
    out[key] = value;
  }
  return out;
}

/**
 * The `datadog` propagator: `x-datadog-trace-id` / `x-datadog-parent-id` (decimal uint64),
 * `x-datadog-sampling-priority`, `x-datadog-origin` and `x-datadog-tags` (`_dd.p.*`, with the
 * high 64 bits of a 128-bit trace id in `_dd.p.tid`). Priority, origin and tags travel as
 * `propagationData` through the trace and are written back on inject. When a `traceparent`
 * carries the same trace, its `tracestate` is kept alongside, as dd-trace does.
 *
 * @example
 * init({ exporters: [datadogExporter()], propagators: ['datadog', 'w3c'] });
 */
export const datadogPropagator: Propagator = {
  name: 'datadog',
  fields: [TRACE_ID, PARENT_ID, SAMPLING_PRIORITY, ORIGIN, TAGS],
  extract<C>(carrier: C, get: Getter<C>): ExtractedContext | undefined {
    const low = decimalToHex16(one(get(carrier, TRACE_ID)) ?? '');
    if (low === undefined) return undefined;
    const data: Record<string, string> = {};
    const tags = parseTags(one(get(carrier, TAGS)));
    let high = ZERO16;
    if (tags) {
      for (const k of Object.keys(tags)) {
        if (k === TID) high = tags[k] as string;
        else data[k] = tags[k] as string;
      }
    }
    const traceId = high + low;
    const parentRaw = one(get(carrier, PARENT_ID));
    const parentSpanId = parentRaw === undefined || parentRaw === '0' ? '' : decimalToHex16(parentRaw);
    if (parentSpanId === undefined) return undefined;
    let sampled: boolean | undefined;
    const priority = one(get(carrier, SAMPLING_PRIORITY));
    if (priority !== undefined && PRIORITY.test(priority)) {
      data[PRIORITY_KEY] = String(Number(priority));
      sampled = Number(priority) > 0;
    }
    const origin = one(get(carrier, ORIGIN));
    if (origin !== undefined && ORIGIN_VALUE.test(origin)) data[ORIGIN_KEY] = origin;
    const ctx: ExtractedContext = { traceId, parentSpanId, source: 'datadog' };
    if (sampled !== undefined) {
      ctx.sampled = sampled;
      ctx.traceFlags = sampled ? 1 : 0;
    }
    const tp = parseTraceparent(one(get(carrier, 'traceparent')));
    if (tp && (tp.traceId === traceId || (high === ZERO16 && tp.traceId.endsWith(low)))) {
      const ts = parseTracestate(get(carrier, 'tracestate'));
      if (ts) ctx.traceState = ts;
    }
    if (Object.keys(data).length > 0) ctx.propagationData = data;
    return ctx;
  },
  /**
   * When another format wins extraction (e.g. `w3c` listed first) and its `traceparent` names the
   * same trace, dd-trace's priority, origin and `_dd.p.*` tags are still kept.
   */
  extractData<C>(carrier: C, get: Getter<C>): Readonly<Record<string, string>> | undefined {
    const dd = datadogPropagator.extract(carrier, get);
    if (!dd?.propagationData) return undefined;
    const tp = parseTraceparent(one(get(carrier, 'traceparent')));
    return tp && tp.traceId.slice(16) === dd.traceId.slice(16) ? dd.propagationData : undefined;
  },
  inject<C>(ctx: InjectContext, carrier: C, set: Setter<C>): void {
    if (!TRACE_ID_32.test(ctx.traceId) || !isHex16(ctx.spanId)) return;
    const data = ctx.propagationData;
    set(carrier, TRACE_ID, hexToDecimal(ctx.traceId.slice(16)));
    set(carrier, PARENT_ID, hexToDecimal(ctx.spanId));
    set(carrier, SAMPLING_PRIORITY, String(samplingPriority(ctx.sampled, data)));
    const origin = data?.[ORIGIN_KEY];
    if (origin) set(carrier, ORIGIN, origin);
    const tags = traceTags(ctx.traceId, data);
    let header = '';
    for (const k of Object.keys(tags)) header += `${header ? ',' : ''}${k}=${tags[k]}`;
    if (header && header.length <= MAX_TAGS_LENGTH) set(carrier, TAGS, header);
  },
};

/** The inbound priority while it agrees with the local sampling decision, else AUTO_KEEP (1) / AUTO_REJECT (0). */
export function samplingPriority(sampled: boolean, data: Readonly<Record<string, string>> | undefined): number {
  const p = data?.[PRIORITY_KEY];
  if (p !== undefined) {
    const n = Number(p);
    if (n > 0 === sampled) return n;
  }
  return sampled ? 1 : 0;
}

/** Trace-level `_dd.p.*` tags: `_dd.p.tid` from the trace id's high half, then those that came in. */
export function traceTags(traceId: string, data: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  const high = traceId.slice(0, 16);
  if (high !== ZERO16) out[TID] = high;
  if (data) for (const k of Object.keys(data)) if (k.startsWith('_dd.p.') && k !== TID) out[k] = data[k] as string;
  return out;
}
