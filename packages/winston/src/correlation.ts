import { inspect } from 'node:util';
import {
  activeContext,
  getCurrentClient,
  getLogCorrelationFields,
  type Hub,
  type SightlineContext,
  type Span,
} from '@sightline/core';
import type { Logform } from 'winston';

/** Where the async context a record was logged in travels with the record. */
export const CONTEXT = Symbol.for('sightline.winston.context');

/** A logform format instance (type only: winston is a peer dependency, never loaded by this package). */
export type SightlineFormat = Logform.Format;

/**
 * Holds a captured context on a record. Small and opaque in `util.inspect` output (prettyPrint)
 * and absent from JSON, whatever formats the record goes through.
 */
const BRAND = Symbol.for('sightline.winston.captured');

class CapturedContext {
  // A brand rather than instanceof: the ESM and CJS builds of this package may both be loaded.
  readonly [BRAND] = true;
  constructor(readonly ctx: SightlineContext) {}
  [inspect.custom](): string {
    return '[sightline context]';
  }
  toJSON(): undefined {
    return undefined;
  }
}

/** The context captured on a record by `sightlineMeta()` or `sightlineFormat()`, if any. */
export function capturedContext(info: object): SightlineContext | undefined {
  const box = (info as Record<symbol, unknown>)[CONTEXT] as CapturedContext | undefined;
  return typeof box === 'object' && box !== null && box[BRAND] === true ? box.ctx : undefined;
}

interface Ids {
  traceId?: string;
  spanId?: string;
  requestId?: string;
}

const NO_IDS: Ids = Object.freeze({});

function idsOf(ctx: SightlineContext): Ids {
  if (ctx.hub === undefined && ctx.span === undefined) return NO_IDS;
  const span = ctx.span as Span | undefined;
  const scope = (ctx.hub as Hub | undefined)?.scope;
  return {
    traceId: span?.traceId ?? scope?.propagation?.traceId,
    spanId: span?.spanId,
    requestId: scope?.requestId,
  };
}

/**
 * A winston format that adds `trace_id`, `span_id` and `request_id` of the current request to
 * every record, so the console and file transports you already use carry the same correlation
 * as Sightline. Records logged outside a request get no fields. While an exporter with its own
 * correlation format is active (`@sightline/exporter-datadog`: `dd.trace_id`, `dd.span_id`,
 * `dd.service`, `dd.env`, `dd.version`), its fields are added too. Put it first in the logger's
 * `format`: it runs as the logger takes the record, and also pins that context for
 * `SightlineTransport`. When a transport that answers late (a File transport under load) makes
 * winston queue records before formatting them, only `sightlineMeta()` still sees the caller.
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
        let ctx = capturedContext(info);
        if (ctx === undefined) {
          ctx = activeContext();
          Object.defineProperty(info, CONTEXT, {
            value: new CapturedContext(ctx),
            configurable: true,
            writable: true,
          });
        }
        const ids = idsOf(ctx);
        if (ids.traceId !== undefined) info.trace_id = ids.traceId;
        if (ids.spanId !== undefined) info.span_id = ids.spanId;
        if (ids.requestId !== undefined) info.request_id = ids.requestId;
        // Backend formats (e.g. Datadog's `dd.trace_id`), only while such an exporter is active.
        const client = (ctx.hub as Hub | undefined)?.client ?? getCurrentClient();
        const extra = getLogCorrelationFields(client, ids.traceId, ids.spanId);
        if (extra !== undefined) Object.assign(info, extra);
      } catch {
        // A frozen record or a hostile getter: it is logged without correlation.
      }
      return info;
    },
  };
}

/**
 * A winston `defaultMeta` whose `trace_id`, `span_id` and `request_id` are read at the moment of
 * each `logger.info(…)` call: winston copies `defaultMeta` into the record synchronously, before
 * anything can queue it, so correlation holds even when a slow transport backs the logger up.
 * Your own default fields are kept. Outside a request the fields are `undefined` (JSON omits them).
 *
 * @example
 * const logger = winston.createLogger({ defaultMeta: sightlineMeta({ service: 'api' }), transports: [new SightlineTransport()] });
 */
export function sightlineMeta(base?: Record<string, unknown>): Record<string | symbol, unknown> {
  if (base !== undefined && (typeof base !== 'object' || base === null)) {
    throw new TypeError('Invalid `base`: must be an object');
  }
  const meta: Record<string | symbol, unknown> = { ...base };
  const field = (name: string, pick: (ids: Ids) => string | undefined) =>
    Object.defineProperty(meta, name, {
      enumerable: true,
      get: () => safe(() => pick(idsOf(activeContext()))),
    });
  // winston's Object.assign(info, defaultMeta) runs these getters in the caller's context.
  Object.defineProperty(meta, CONTEXT, {
    enumerable: true,
    get: () => safe(() => new CapturedContext(activeContext())),
  });
  field('trace_id', (ids) => ids.traceId);
  field('span_id', (ids) => ids.spanId);
  field('request_id', (ids) => ids.requestId);
  return meta;
}

function safe<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}
