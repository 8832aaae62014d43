import type { SpanKind } from '../types.js';

/** Reads one header from a carrier; may return several values for a repeated header. */
export type Getter<C = unknown> = (carrier: C, key: string) => string | string[] | undefined;
/** Writes one header onto a carrier. */
export type Setter<C = unknown> = (carrier: C, key: string, value: string) => void;

/** What a propagator found in an inbound carrier. */
export interface ExtractedContext {
  traceId: string;
  /** The remote parent span id; `''` when the header carried a trace id only. */
  parentSpanId: string;
  /** Undefined when the header carried no sampling decision. */
  sampled?: boolean;
  /** Raw W3C trace-flags byte (sampled and random bits), when known. */
  traceFlags?: number;
  traceState?: string;
  /** Which propagator produced this context. */
  source: string;
  /**
   * Trace-level data of one header format that has no place in the common model (e.g.
   * Datadog's sampling priority, origin and `_dd.p.*` tags), keyed by names that propagator
   * owns. Carried unchanged to every span of the trace and back to `inject`.
   */
  propagationData?: Readonly<Record<string, string>>;
}

/**
 * Read-only view of the span headers are written for, for formats that carry more than ids
 * (SkyWalking's `sw8` names the local root's operation and the address the client called).
 */
export interface PropagationSpan {
  readonly spanId: string;
  readonly name: string;
  readonly kind: SpanKind;
  readonly tags: Readonly<Record<string, string>> | undefined;
  readonly localRoot: PropagationSpan;
}

/** What outbound injection writes. */
export interface InjectContext {
  traceId: string;
  /** The span id the receiver should use as its parent (the client span). */
  spanId: string;
  sampled: boolean;
  traceFlags: number;
  traceState?: string;
  /** Inbound baggage members other than our own, forwarded as they came. */
  baggage?: string;
  requestId?: string;
  /** What the inbound request's propagator found; see `ExtractedContext.propagationData`. */
  propagationData?: Readonly<Record<string, string>>;
  /** The span being propagated; absent when only the inbound context is forwarded. */
  span?: PropagationSpan;
}

/**
 * A header format. `extract` returns undefined for absent or malformed input (never throws);
 * `inject` writes only the headers the carrier does not already have when `has` says so.
 */
export interface Propagator {
  readonly name: string;
  readonly fields: readonly string[];
  extract<C>(carrier: C, get: Getter<C>): ExtractedContext | undefined;
  inject<C>(ctx: InjectContext, carrier: C, set: Setter<C>): void;
  /**
   * Optional: trace-level data this format carries *next to* another format's context, e.g. the
   * `raceway-clock` vector beside a `traceparent`. Called only for propagators whose `extract` did
   * not win; the result is merged into the winner's `propagationData` (the winner's keys win).
   * Returns undefined for absent or malformed input; never throws.
   */
  extractData?<C>(carrier: C, get: Getter<C>): Readonly<Record<string, string>> | undefined;
}

/** Getter for Node's `IncomingHttpHeaders`-style objects (lower-case keys). */
export const headerGetter: Getter<Record<string, string | string[] | undefined>> = (c, k) => c[k];
/** Setter for plain header objects. */
export const headerSetter: Setter<Record<string, string>> = (c, k, v) => {
  c[k] = v;
};

/** One value for a header that must not repeat: a repeated header is invalid, so undefined. */
export function single(v: string | string[] | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return v;
  return v.length === 1 ? v[0] : undefined;
}
