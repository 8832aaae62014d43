import { type Hub, type Span, activeContext } from '@sightline/core';
import type { Logform } from 'winston';
import { CONTEXT } from './record.js';

/** A logform format instance (type only: winston is a peer dependency, never loaded by this package). */
export type SightlineFormat = Logform.Format;

/**
 * A winston format that adds `trace_id`, `span_id` and `request_id` of the current request to
 * every record, so the console and file transports you already use carry the same correlation
 * as Sightline. Records logged outside a request get no fields. Put it first in the logger's
 * `format` (it runs when the record is written, in the caller's async context) and it also
 * pins that context for `SightlineTransport`, even if a slow transport delays delivery.
 *
 * @example
 * const logger = winston.createLogger({
 *   format: winston.format.combine(sightlineFormat(), winston.format.json()),
 *   transports: [new winston.transports.Console(), new SightlineTransport()],
 * });
 */
export function sightlineFormat(): SightlineFormat {
  return {
    transform(info: Logform.TransformableInfo) {
      try {
        const ctx = activeContext();
        if (ctx.hub === undefined && ctx.span === undefined) return info;
        const span = ctx.span as Span | undefined;
        const scope = (ctx.hub as Hub | undefined)?.scope;
        const traceId = span?.traceId ?? scope?.propagation?.traceId;
        if (traceId !== undefined) info.trace_id = traceId;
        if (span !== undefined) info.span_id = span.spanId;
        if (scope?.requestId !== undefined) info.request_id = scope.requestId;
        Object.defineProperty(info, CONTEXT, {
          value: ctx,
          configurable: true,
          enumerable: false,
          writable: true,
        });
      } catch {
        // A frozen record or a hostile getter: it is logged without correlation.
      }
      return info;
    },
  };
}
