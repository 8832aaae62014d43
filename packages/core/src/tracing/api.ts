import type { Client } from '../client.js';
import { activeContext, withContext } from '../context.js';
import { getCurrentHub, type Hub } from '../hub.js';
import { newSpanId, newTraceId } from '../ids.js';
import type { InjectContext } from '../propagation/types.js';
import { headerGetter, headerSetter } from '../propagation/types.js';
import type { PropagationContext } from '../scope.js';
import type { SpanKind } from '../types.js';
import { sampleRoot } from './sampling.js';
import { Span } from './span.js';

export interface StartSpanOptions {
  /** The operation, e.g. `GET /users/:id`, `db.query`, `checkout`. */
  name: string;
  /** @default 'internal' */
  kind?: SpanKind;
  description?: string;
  tags?: Record<string, string | number | boolean>;
  /** Explicit parent; `null` starts a new trace. Default: the active span. */
  parentSpan?: Span | null;
  /** Epoch ms. */
  startTime?: number;
}

const RANDOM_FLAG = 0x02;

/** Makes a span under the current (or given) parent without activating it. */
export function createSpan(hub: Hub, active: Span | undefined, opts: StartSpanOptions): Span {
  const client = hub.client;
  const parent = opts.parentSpan === undefined ? active : (opts.parentSpan ?? undefined);
  const kind = opts.kind ?? 'internal';
  let span: Span;
  if (parent) {
    span = new Span({
      traceId: parent.traceId,
      parentSpanId: parent.spanId,
      name: opts.name,
      kind,
      sampled: parent.sampled && client !== undefined,
      traceFlags: parent.traceFlags,
      traceState: parent.traceState,
      baggage: parent.baggage,
      propagationData: parent.propagationData,
      requestId: parent.requestId,
      localRoot: parent.localRoot,
      startTime: opts.startTime,
      sink: client,
    });
  } else {
    const prop = opts.parentSpan === null ? undefined : hub.scope.propagation;
    span = rootSpan(client, prop, opts.name, kind, hub.scope.requestId, opts.startTime);
  }
  if (opts.description !== undefined) span.description = opts.description;
  if (opts.tags && span.isRecording()) for (const k in opts.tags) span.setTag(k, opts.tags[k]!);
  return span;
}

/** A span at the root of this process's part of a trace, continuing `prop` when given. */
export function rootSpan(
  client: Client | undefined,
  prop: PropagationContext | undefined,
  name: string,
  kind: SpanKind,
  requestId?: string,
  startTime?: number,
): Span {
  let sampled = false;
  if (client?.enabled) {
    const o = client.options;
    sampled = sampleRoot(
      o.tracesSampleRate,
      o.tracesSampler,
      { name, kind, parentSampled: prop?.sampled },
      client.debug,
    );
    if (prop && prop.sampled === undefined) prop.sampled = sampled;
  }
  const flags =
    prop?.traceFlags !== undefined
      ? (prop.traceFlags & ~1) | (sampled ? 1 : 0)
      : (sampled ? 1 : 0) | RANDOM_FLAG;
  return new Span({
    traceId: prop?.traceId ?? newTraceId(),
    parentSpanId: prop?.parentSpanId ?? '',
    name,
    kind,
    sampled,
    traceFlags: flags,
    traceState: prop?.traceState,
    baggage: prop?.baggage,
    propagationData: prop?.propagationData,
    requestId,
    startTime,
    sink: client,
  });
}

/** Accepts a name or options; anything else (a JS caller's mistake) gets a placeholder name. */
function spanOptions(options: StartSpanOptions | string | undefined): StartSpanOptions {
  if (typeof options === 'string') return { name: options };
  if (typeof options !== 'object' || options === null) return { name: '<unnamed>' };
  return typeof options.name === 'string'
    ? options
    : { ...options, name: String(options.name ?? '<unnamed>') };
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  return typeof v === 'object' && v !== null && typeof (v as PromiseLike<unknown>).then === 'function';
}

/**
 * Runs `fn` with a new span active; ends it when `fn` returns or its promise settles and marks
 * it `error` on throw or rejection. The result (or the same promise) is returned unchanged.
 * @example await startSpan({ name: 'charge-card' }, async (span) => stripe.charge(...))
 */
export function startSpan<T>(options: StartSpanOptions | string, fn: (span: Span) => T): T {
  const opts = spanOptions(options);
  const ctx = activeContext();
  const hub = (ctx.hub as Hub | undefined) ?? getCurrentHub();
  const span = createSpan(hub, ctx.span as Span | undefined, opts);
  return withContext({ hub: ctx.hub, span }, () => {
    let result: T;
    try {
      result = fn(span);
    } catch (err) {
      span.recordException(err);
      span.setStatus('error');
      span.end();
      throw err;
    }
    if (isThenable(result)) {
      result.then(
        () => span.end(),
        (err) => {
          span.recordException(err);
          span.setStatus('error');
          span.end();
        },
      );
    } else {
      span.end();
    }
    return result;
  });
}

/** A span that is not made active; end it yourself. */
export function startInactiveSpan(options: StartSpanOptions | string): Span {
  const opts = spanOptions(options);
  const ctx = activeContext();
  return createSpan((ctx.hub as Hub | undefined) ?? getCurrentHub(), ctx.span as Span | undefined, opts);
}

/** Runs `fn` with `span` active (e.g. a span started elsewhere with `startInactiveSpan`). */
export function withActiveSpan<T>(span: Span | null, fn: () => T): T {
  const ctx = activeContext();
  return withContext({ hub: ctx.hub, span: span ?? undefined }, fn);
}

/** The trace data outbound calls should carry from the current context, or undefined when disabled. */
export function getOutboundContext(span?: Span): InjectContext | undefined {
  const ctx = activeContext();
  const s = span ?? (ctx.span as Span | undefined);
  const hub = (ctx.hub as Hub | undefined) ?? getCurrentHub();
  if (s) {
    return {
      traceId: s.traceId,
      spanId: s.spanId,
      sampled: s.sampled,
      traceFlags: s.traceFlags,
      traceState: s.traceState,
      baggage: s.baggage,
      requestId: s.requestId ?? hub.scope.requestId,
      propagationData: s.propagationData,
      span: s,
    };
  }
  const p = hub.scope.propagation;
  if (!p) return undefined;
  return {
    traceId: p.traceId,
    spanId: p.parentSpanId || newSpanId(),
    sampled: p.sampled ?? false,
    traceFlags: p.traceFlags ?? (p.sampled ? 1 : 0),
    traceState: p.traceState,
    baggage: p.baggage,
    requestId: hub.scope.requestId,
    propagationData: p.propagationData,
  };
}

/**
 * The propagation headers for the current trace, for carriers Sightline does not instrument
 * (queues, custom RPC). Empty when there is no trace or the SDK is not initialized.
 */
export function getTraceHeaders(): Record<string, string> {
  const client = getCurrentHub().client;
  const out: Record<string, string> = {};
  const ctx = getOutboundContext();
  if (!client || !ctx) return out;
  client.propagator.inject(ctx, out, headerSetter, (c, k) => c[k] !== undefined);
  return out;
}

/**
 * Continues the trace carried by `headers` (W3C, AllStak, or any configured propagator) for the
 * duration of `fn`, in a forked hub. Invalid headers start a new trace.
 */
export function continueTrace<T>(headers: Record<string, string | string[] | undefined>, fn: () => T): T {
  const ctx = activeContext();
  const hub = ((ctx.hub as Hub | undefined) ?? getCurrentHub()).fork();
  const client = hub.client;
  const extracted = client?.propagator.extract(headers ?? {}, headerGetter);
  hub.scope.propagation = extracted
    ? {
        traceId: extracted.traceId,
        parentSpanId: extracted.parentSpanId,
        sampled: extracted.sampled,
        traceFlags: extracted.traceFlags,
        traceState: extracted.traceState,
        baggage: extracted.baggage,
        propagationData: extracted.propagationData,
      }
    : { traceId: newTraceId(), parentSpanId: '' };
  return withContext({ hub, span: undefined }, fn);
}
