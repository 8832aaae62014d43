import type { DebugLogger } from '../debug.js';
import type { SamplingContext, SightlineOptions } from '../options.js';

/**
 * Head sampling at the root of a trace. An inbound decision is always honoured (parent-based);
 * otherwise `tracesSampler` (if set) or `tracesSampleRate` decides once for the whole trace.
 */
export function sampleRoot(
  rate: number,
  sampler: SightlineOptions['tracesSampler'],
  ctx: SamplingContext,
  debug: DebugLogger,
): boolean {
  if (ctx.parentSampled !== undefined) return ctx.parentSampled;
  let r: number | boolean = rate;
  if (sampler) {
    try {
      r = sampler(ctx);
    } catch (err) {
      debug.log(`tracesSampler threw (${String((err as Error)?.message ?? err)}); not sampling`);
      return false;
    }
  }
  if (typeof r === 'boolean') return r;
  if (typeof r !== 'number' || !(r >= 0 && r <= 1)) {
    debug.log('tracesSampler returned an invalid rate; not sampling');
    return false;
  }
  return r === 1 ? true : r === 0 ? false : Math.random() < r;
}
