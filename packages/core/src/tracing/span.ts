import { newSpanId } from '../ids.js';
import type { RequestContext, SpanKind, SpanRecord, SpanStatus } from '../types.js';

/** Epoch milliseconds with sub-millisecond precision, monotonic within the process. */
const ORIGIN = performance.timeOrigin;
export function nowMs(): number {
  return ORIGIN + performance.now();
}

/** Receives finished sampled spans (the client). */
export interface SpanSink {
  captureSpan(span: Span): void;
}

export interface SpanInit {
  traceId: string;
  parentSpanId: string;
  name: string;
  kind: SpanKind;
  sampled: boolean;
  traceFlags: number;
  traceState?: string;
  baggage?: string;
  propagationData?: Readonly<Record<string, string>>;
  requestId?: string;
  /** The first span of this trace in this process; omitted for a local root itself. */
  localRoot?: Span;
  startTime?: number;
  sink?: SpanSink;
  tags?: Record<string, string>;
}

/**
 * A span. Unsampled spans still carry ids (so `-00` propagates) but record nothing and cost a
 * single allocation. Every method is safe to call after `end()` (a no-op then).
 */
export class Span {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly kind: SpanKind;
  readonly sampled: boolean;
  readonly traceFlags: number;
  readonly traceState: string | undefined;
  /** Foreign baggage members to forward, inherited from the inbound request. */
  readonly baggage: string | undefined;
  /** Propagator-specific trace data, inherited from the inbound request. */
  readonly propagationData: Readonly<Record<string, string>> | undefined;
  readonly requestId: string | undefined;
  /**
   * The local root: the span that started this trace's work in this process (a server span, or
   * a span without a local parent); itself for a local root. Segment-based backends (SkyWalking)
   * group spans by it and name it in outbound headers.
   */
  readonly localRoot: Span;
  readonly startTime: number;
  name: string;
  description: string | undefined = undefined;
  status: SpanStatus | undefined = undefined;
  endTime: number | undefined = undefined;
  tags: Record<string, string> | undefined;
  data: Record<string, unknown> | undefined = undefined;
  events: SpanRecord['events'] = undefined;
  /** The inbound request of a server span (set by the server request lifecycle). */
  request: RequestContext | undefined = undefined;
  private sink: SpanSink | undefined;

  constructor(init: SpanInit) {
    this.traceId = init.traceId;
    this.spanId = newSpanId();
    this.parentSpanId = init.parentSpanId;
    this.name = init.name;
    this.kind = init.kind;
    this.sampled = init.sampled;
    this.traceFlags = init.traceFlags;
    this.traceState = init.traceState;
    this.baggage = init.baggage;
    this.propagationData = init.propagationData;
    this.requestId = init.requestId;
    this.localRoot = init.localRoot ?? this;
    this.startTime = init.startTime ?? nowMs();
    this.sink = init.sampled ? init.sink : undefined;
    this.tags = init.tags;
  }

  /** False for unsampled or ended spans: attribute work can be skipped. */
  isRecording(): boolean {
    return this.sink !== undefined && this.endTime === undefined;
  }

  setTag(key: string, value: string | number | boolean): this {
    if (!this.isRecording()) return this;
    try {
      (this.tags ??= {})[key] = String(value);
    } catch {
      // A value without a string form (a null-prototype object) is not worth a crash.
    }
    return this;
  }

  setData(key: string, value: unknown): this {
    if (this.isRecording()) (this.data ??= {})[key] = value;
    return this;
  }

  setStatus(status: SpanStatus): this {
    if (this.endTime === undefined) this.status = status;
    return this;
  }

  /** Renames the span, e.g. once the route template is known. */
  updateName(name: string): this {
    if (this.endTime === undefined) this.name = name;
    return this;
  }

  setDescription(description: string): this {
    if (this.endTime === undefined) this.description = description;
    return this;
  }

  /** Records an exception event on the span and marks it as failed. */
  recordException(err: unknown): this {
    if (!this.isRecording()) return this;
    this.status = 'error';
    const e = err as { name?: unknown; message?: unknown; stack?: unknown } | null;
    const attributes: Record<string, string> = {
      'exception.type': typeof e?.name === 'string' ? e.name : typeof err,
      'exception.message': typeof e?.message === 'string' ? e.message : String(err),
    };
    if (typeof e?.stack === 'string') attributes['exception.stacktrace'] = e.stack.slice(0, 8192);
    (this.events ??= []).push({ name: 'exception', time: nowMs(), attributes });
    return this;
  }

  /** Ends the span once; sampled spans go to the client. */
  end(endTime?: number): void {
    if (this.endTime !== undefined) return;
    this.endTime = endTime ?? nowMs();
    const sink = this.sink;
    if (sink) {
      this.sink = undefined;
      sink.captureSpan(this);
    }
  }

  isEnded(): boolean {
    return this.endTime !== undefined;
  }
}
