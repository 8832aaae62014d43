import { SightlineOptionError } from '../errors.js';
import { allstakPropagator } from './allstak.js';
import { foreignBaggage, mergeBaggage } from './baggage.js';
import type { ExtractedContext, Getter, InjectContext, Propagator, Setter } from './types.js';
import { w3cPropagator } from './w3c.js';

const registry = new Map<string, Propagator>([
  ['w3c', w3cPropagator],
  ['tracecontext', w3cPropagator],
  ['allstak', allstakPropagator],
]);

/** Makes a propagator available by name to the `propagators` option (exporter packages call this). */
export function registerPropagator(name: string, propagator: Propagator): void {
  registry.set(name, propagator);
}

export interface ExtractedTrace extends ExtractedContext {
  /** Foreign baggage members, forwarded on outbound calls. */
  baggage?: string;
}

/**
 * Extraction tries each propagator in order and the first valid context wins; injection writes
 * every propagator's headers plus merged `baggage`, each only when the carrier lacks it.
 */
export class CompositePropagator {
  readonly propagators: readonly Propagator[];
  // Requests pay for the extra pass only when a configured propagator asks for it.
  private readonly hasExtraData: boolean;

  constructor(propagators: readonly (string | Propagator)[]) {
    this.propagators = propagators.map((p) => {
      if (typeof p !== 'string') return p;
      const found = registry.get(p);
      if (!found) throw new SightlineOptionError('propagators', `names of known propagators (unknown: ${p.slice(0, 40)})`);
      return found;
    });
    this.hasExtraData = this.propagators.some((p) => typeof p.extractData === 'function');
  }

  extract<C>(carrier: C, get: Getter<C>): ExtractedTrace | undefined {
    for (const p of this.propagators) {
      let ctx: ExtractedContext | undefined;
      try {
        ctx = p.extract(carrier, get);
      } catch {
        ctx = undefined;
      }
      if (ctx) {
        if (this.hasExtraData) ctx = this.mergeExtraData(ctx, p, carrier, get);
        const baggage = foreignBaggage(get(carrier, 'baggage'));
        return baggage ? { ...ctx, baggage } : ctx;
      }
    }
    return undefined;
  }

  /** Adds the data other formats carry beside the winning one (e.g. a `raceway-clock` next to `traceparent`). */
  private mergeExtraData<C>(ctx: ExtractedContext, winner: Propagator, carrier: C, get: Getter<C>): ExtractedContext {
    let merged: Record<string, string> | undefined;
    for (const p of this.propagators) {
      if (p === winner || typeof p.extractData !== 'function') continue;
      let data: Readonly<Record<string, string>> | undefined;
      try {
        data = p.extractData(carrier, get);
      } catch {
        data = undefined;
      }
      if (data) merged = { ...data, ...merged };
    }
    return merged ? { ...ctx, propagationData: { ...merged, ...ctx.propagationData } } : ctx;
  }

  /** `has` tells whether the carrier already has a header (the caller's own headers win). */
  inject<C>(ctx: InjectContext, carrier: C, set: Setter<C>, has: (carrier: C, key: string) => boolean): void {
    const guarded: Setter<C> = (c, k, v) => {
      if (!has(c, k)) set(c, k, v);
    };
    for (const p of this.propagators) {
      try {
        p.inject(ctx, carrier, guarded);
      } catch {
        // A broken custom propagator must not break the caller's request.
      }
    }
    if (!has(carrier, 'baggage')) set(carrier, 'baggage', mergeBaggage(ctx.baggage, ctx.traceId, ctx.spanId, ctx.requestId));
  }
}
