import type { ExtractedContext, Getter, InjectContext, Propagator, Setter } from '@sightline/core';
import { RACEWAY_CLOCK_HEADER, decodeClockHeader, looksLikeClockHeader } from './clock-header.js';
import { RACEWAY_CLOCK_DATA_KEY } from './race-context.js';
import { activeRuntime } from './runtime.js';
import { uuidToTraceId } from './wire.js';

function single(v: string | string[] | undefined): string | undefined {
  if (typeof v === 'string') return v;
  return Array.isArray(v) && v.length === 1 ? v[0] : undefined;
}

const ZERO_TRACE = '0'.repeat(32);

/**
 * The `raceway-clock` propagator. Inbound, the header's value travels in `propagationData` to the
 * request's context, where the first Raceway event decodes it and joins its vector clock; next to
 * a `traceparent` it rides along (`extractData`), and alone it also continues the trace.
 * Outbound, it writes the calling context's clock (advanced by one, for the send) beside the
 * `traceparent` the W3C propagator writes. Registered by `racewayExporter()` under the name
 * `raceway-clock`.
 *
 * @example
 * init({ exporters: [racewayExporter()], propagators: ['w3c', 'allstak', 'raceway-clock'] });
 */
export const racewayClockPropagator: Propagator = {
  name: 'raceway-clock',
  fields: [RACEWAY_CLOCK_HEADER],
  extract<C>(carrier: C, get: Getter<C>): ExtractedContext | undefined {
    const raw = single(get(carrier, RACEWAY_CLOCK_HEADER));
    const payload = decodeClockHeader(raw);
    const traceId = uuidToTraceId(payload?.trace_id);
    if (!payload || raw === undefined || !traceId || traceId === ZERO_TRACE) return undefined;
    return {
      traceId,
      parentSpanId: payload.span_id,
      source: 'raceway-clock',
      propagationData: { [RACEWAY_CLOCK_DATA_KEY]: raw.trim() },
    };
  },
  extractData<C>(carrier: C, get: Getter<C>): Readonly<Record<string, string>> | undefined {
    const raw = single(get(carrier, RACEWAY_CLOCK_HEADER));
    // Only a cheap check here, on every request; the decode waits for the first Raceway event.
    return raw !== undefined && looksLikeClockHeader(raw)
      ? { [RACEWAY_CLOCK_DATA_KEY]: raw.trim() }
      : undefined;
  },
  inject<C>(ctx: InjectContext, carrier: C, set: Setter<C>): void {
    const value = activeRuntime()?.outboundHeader(ctx);
    if (value !== undefined) set(carrier, RACEWAY_CLOCK_HEADER, value);
  },
};
