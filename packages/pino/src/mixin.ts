import {
  activeContext,
  getCurrentClient,
  getLogCorrelationFields,
  type Hub,
  type Span,
} from '@sightline/core';

/** pino's `mixin` signature (pino 8, 9 and 10). */
export type PinoMixin = (mergeObject: object, level: number, logger?: unknown) => object;

/**
 * A pino `mixin` that adds `trace_id`, `span_id` and `request_id` of the current request to every
 * record. pino calls it synchronously inside each log call, so it sees the caller's context;
 * records logged outside a request get no fields. The fields travel with the line, which is how
 * the worker-thread transport (`@sightline/pino/transport`) correlates records. While an exporter
 * with its own correlation format is active (`@sightline/exporter-datadog`: `dd.trace_id`,
 * `dd.span_id`, `dd.service`, `dd.env`, `dd.version`), its fields are added too.
 *
 * @param next your own mixin, whose fields are kept.
 * @example
 * const logger = pino({ mixin: sightlineMixin() }, sightlineStream());
 */
export function sightlineMixin(next?: PinoMixin): PinoMixin {
  if (next !== undefined && typeof next !== 'function')
    throw new TypeError('Invalid `next`: must be a mixin function');
  return function sightline(mergeObject, level, logger) {
    // pino merges into the returned object, so it must be a fresh one every call.
    const out: Record<string, unknown> = {};
    if (next !== undefined) Object.assign(out, next(mergeObject, level, logger));
    try {
      const ctx = activeContext();
      const span = ctx.span as Span | undefined;
      const hub = ctx.hub as Hub | undefined;
      const scope = hub?.scope;
      const traceId = span?.traceId ?? scope?.propagation?.traceId;
      if (traceId !== undefined) out.trace_id = traceId;
      if (span !== undefined) out.span_id = span.spanId;
      if (scope?.requestId !== undefined) out.request_id = scope.requestId;
      // Backend formats (e.g. Datadog's `dd.trace_id`), only while such an exporter is active.
      const extra = getLogCorrelationFields(hub?.client ?? getCurrentClient(), traceId, span?.spanId);
      if (extra !== undefined) Object.assign(out, extra);
    } catch {
      // Correlation is best effort; the record is logged either way.
    }
    return out;
  };
}
