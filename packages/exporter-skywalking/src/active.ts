/** Where a span injecting `sw8` sits in the segment that will be reported. */
export interface SpanPlacement {
  segmentId: string;
  spanId: number;
}

/**
 * What the `sw8` propagator needs from the running SkyWalking exporter: the reporting identity
 * and the segment-local number of the span it writes headers for (numbers are handed out as
 * spans propagate, before they end, and the exporter keeps them when it builds the segment).
 */
export interface SegmentRegistry {
  readonly service: string;
  readonly instance: string;
  place(traceId: string, rootSpanId: string, spanId: string): SpanPlacement | undefined;
}

// One per process: propagators are registered by name, globally, and do not know the client.
let active: SegmentRegistry | undefined;

export function activateRegistry(r: SegmentRegistry): void {
  active = r;
}

export function deactivateRegistry(r: SegmentRegistry): void {
  if (active === r) active = undefined;
}

export function activeRegistry(): SegmentRegistry | undefined {
  return active;
}
