import type { ExtractedContext, Getter, InjectContext, Propagator, Setter } from './types.js';
import { single } from './types.js';

const TRACE_ID = /^[0-9a-f]{32}$/;
const ALLSTAK_TRACE = /^([0-9a-f]{32})-([0-9a-f]{16})-([01])$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

export const ALLSTAK_TRACE_HEADER = 'allstak-trace';
export const ALLSTAK_TRACE_ID_HEADER = 'x-allstak-trace-id';
export const ALLSTAK_REQUEST_ID_HEADER = 'x-allstak-request-id';
const TRACE_ID_HEADER = 'x-trace-id';

function traceIdOnly(v: string | undefined): string | undefined {
  if (v === undefined || v.length > 64) return undefined;
  const t = v.trim();
  return TRACE_ID.test(t) && t !== ZERO_TRACE ? t : undefined;
}

/**
 * AllStak headers: `allstak-trace` (`<trace>-<span>-<1|0>`), then `x-allstak-trace-id`, then
 * `x-trace-id` (trace id only: the request continues the trace as a root of its own).
 */
export const allstakPropagator: Propagator = {
  name: 'allstak',
  fields: [ALLSTAK_TRACE_HEADER, ALLSTAK_TRACE_ID_HEADER, ALLSTAK_REQUEST_ID_HEADER],
  extract<C>(carrier: C, get: Getter<C>): ExtractedContext | undefined {
    const at = single(get(carrier, ALLSTAK_TRACE_HEADER));
    if (at !== undefined && at.length <= 64) {
      const m = ALLSTAK_TRACE.exec(at.trim());
      if (m && m[1] !== ZERO_TRACE && m[2] !== ZERO_SPAN) {
        const sampled = m[3] === '1';
        return { traceId: m[1]!, parentSpanId: m[2]!, sampled, traceFlags: sampled ? 1 : 0, source: 'allstak' };
      }
    }
    const id = traceIdOnly(single(get(carrier, ALLSTAK_TRACE_ID_HEADER))) ?? traceIdOnly(single(get(carrier, TRACE_ID_HEADER)));
    return id ? { traceId: id, parentSpanId: '', source: 'allstak' } : undefined;
  },
  inject<C>(ctx: InjectContext, carrier: C, set: Setter<C>): void {
    set(carrier, ALLSTAK_TRACE_HEADER, `${ctx.traceId}-${ctx.spanId}-${ctx.sampled ? '1' : '0'}`);
    set(carrier, ALLSTAK_TRACE_ID_HEADER, ctx.traceId);
    if (ctx.requestId) set(carrier, ALLSTAK_REQUEST_ID_HEADER, ctx.requestId);
  },
};

const PRINTABLE = /^[\x21-\x7e][\x20-\x7e]*$/;

/** Inbound request id: `x-allstak-request-id`, then `x-request-id`; trimmed, ≤ 200 printable chars. */
export function extractRequestId<C>(carrier: C, get: Getter<C>): string | undefined {
  for (const name of [ALLSTAK_REQUEST_ID_HEADER, 'x-request-id']) {
    const v = single(get(carrier, name));
    if (v === undefined || v.length > 1024) continue;
    const t = v.trim();
    if (t.length > 0 && t.length <= 200 && PRINTABLE.test(t)) return t;
  }
  return undefined;
}
