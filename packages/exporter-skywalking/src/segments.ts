import type { SpanRecord } from '@sightline/core';
import type { SegmentRegistry, SpanPlacement } from './active.js';
import { segmentIdOf } from './ids.js';
import { SW8_DATA } from './sw8.js';

/** A span with its number and its parent's number in its segment. */
export interface PlacedSpan {
  record: SpanRecord;
  id: number;
  /** -1 when the parent is not in this segment. */
  parent: number;
  /** The local root: its refs come from the inbound `sw8`. */
  isRoot: boolean;
  /** Where the parent of a span reported after its root's segment went out was reported. */
  crossThread?: { segmentId: string; spanId: number; endpoint: string };
}

/** A finished segment, mapped to the wire in the transport worker. */
export interface PendingSegment {
  segmentId: string;
  swTraceId: string;
  spans: PlacedSpan[];
  sizeLimited: boolean;
}

export interface AssemblerOptions {
  service: string;
  instance: string;
  segmentTimeout: number;
  maxSpansPerSegment: number;
  maxBufferedSpans: number;
  maxOpenSegments: number;
  emit(segment: PendingSegment): void;
}

export interface AssemblerStats {
  segments: number;
  /** Segments for spans that ended after their local root's segment was sent. */
  followUpSegments: number;
  /** Segments sent because `segmentTimeout` passed before they completed. */
  timedOut: number;
  /** Segments sent early because the span buffer or the open-segment bound was full. */
  sentEarly: number;
  /** Spans dropped because their segment reached `maxSpansPerSegment` (the segment says `isSizeLimited`). */
  droppedSpanLimit: number;
  bufferedSpans: number;
}

/** The work of one local root: its segment being built, and what earlier ones placed. */
interface Unit {
  readonly rootId: string;
  readonly traceId: string;
  swTraceId: string | undefined;
  /** 0: the root's own segment; n: the n-th follow-up. */
  seq: number;
  spans: SpanRecord[];
  /** Numbers handed out to spans that propagated before they ended. */
  ids: Map<string, number>;
  next: number;
  /** Spans that propagated (so their number left the process) and have not ended yet. */
  waiting: Set<string>;
  rootEnded: boolean;
  rootName: string | undefined;
  rootPlacement: { segmentId: string; id: number } | undefined;
  placed: Map<string, { segmentId: string; id: number }>;
  openedAt: number;
  lastActivity: number;
  sizeLimited: boolean;
}

// Remembered placements per root, for refs of spans reported later.
const MAX_PLACED = 1000;

/**
 * Groups finished spans into SkyWalking segments: one per local root (the server span of a
 * request, or a span started without a local parent), per process. A segment is sent when its
 * root has ended and every span that propagated `sw8` from it has ended too (their numbers were
 * handed to other services), or `segmentTimeout` after it opened. Spans that end after their
 * root's segment went out are sent in follow-up segments (`<segment id>.<n>`) whose spans point
 * back with CrossThread refs. Bounded: at most `maxSpansPerSegment` spans per segment (then
 * `isSizeLimited`), `maxBufferedSpans` in total and `maxOpenSegments` roots (then the oldest
 * segment is sent early).
 */
export class SegmentAssembler implements SegmentRegistry {
  readonly service: string;
  readonly instance: string;
  private readonly o: AssemblerOptions;
  private readonly units = new Map<string, Unit>();
  // Roots forgotten after a quiet `segmentTimeout`: their next segment number, so a span that
  // turns up later still gets a fresh segment id.
  private readonly retired = new Map<string, number>();
  private buffered = 0;
  private readonly counters = {
    segments: 0,
    followUpSegments: 0,
    timedOut: 0,
    sentEarly: 0,
    droppedSpanLimit: 0,
  };

  constructor(options: AssemblerOptions) {
    this.o = options;
    this.service = options.service;
    this.instance = options.instance;
  }

  place(traceId: string, rootSpanId: string, spanId: string): SpanPlacement | undefined {
    const u = this.unit(traceId, rootSpanId);
    const now = Date.now();
    u.lastActivity = now;
    if (spanId === rootSpanId) {
      return u.rootPlacement
        ? { segmentId: u.rootPlacement.segmentId, spanId: u.rootPlacement.id }
        : {
            segmentId: segmentIdOf(traceId, rootSpanId, u.seq),
            spanId: u.seq === 0 ? 0 : this.number(u, spanId),
          };
    }
    const done = u.placed.get(spanId);
    if (done) return { segmentId: done.segmentId, spanId: done.id };
    if (u.openedAt === 0) u.openedAt = now;
    return { segmentId: segmentIdOf(traceId, rootSpanId, u.seq), spanId: this.number(u, spanId) };
  }

  private number(u: Unit, spanId: string): number {
    let id = u.ids.get(spanId);
    if (id === undefined) {
      id = u.next++;
      u.ids.set(spanId, id);
      u.waiting.add(spanId);
    }
    return id;
  }

  /** Takes a finished span; false when it was dropped (segment span limit). */
  add(rec: SpanRecord): boolean {
    const rootId = rec.localRootSpanId ?? rec.spanId;
    const u = this.unit(rec.traceId, rootId);
    const now = Date.now();
    u.lastActivity = now;
    u.waiting.delete(rec.spanId);
    u.swTraceId ??= rec.propagationData?.[SW8_DATA.traceId] ?? rec.traceId;
    const isRoot = rec.spanId === rootId;
    if (isRoot) {
      u.rootEnded = true;
      u.rootName = rec.name;
    }
    // A slot stays free for the root, so a size-limited segment keeps its entry span and refs.
    const room = this.o.maxSpansPerSegment - (u.seq === 0 && !u.rootEnded ? 1 : 0);
    if (!isRoot && u.spans.length >= room) {
      u.sizeLimited = true;
      this.counters.droppedSpanLimit++;
      this.maybeComplete(u);
      return false;
    }
    if (u.openedAt === 0) u.openedAt = now;
    u.spans.push(rec);
    this.buffered++;
    if (!this.maybeComplete(u) && this.buffered > this.o.maxBufferedSpans) this.sendOldest();
    return true;
  }

  private maybeComplete(u: Unit): boolean {
    if (u.seq !== 0 || !u.rootEnded || u.waiting.size > 0 || u.spans.length === 0) return false;
    this.emit(u);
    return true;
  }

  /** Periodic: sends segments past their timeout and follow-ups whose spans have settled. */
  sweep(now: number, settleMs: number): void {
    for (const u of this.units.values()) {
      if (u.spans.length > 0) {
        const age = now - u.openedAt;
        if (age >= this.o.segmentTimeout) {
          this.counters.timedOut++;
          this.emit(u);
        } else if (u.seq > 0 && u.waiting.size === 0 && age >= settleMs) {
          this.emit(u);
        }
      } else if (now - u.lastActivity >= this.o.segmentTimeout) {
        this.retire(u);
      }
    }
  }

  /** Sends every segment whose root has ended (or that follows one); roots still running stay. */
  flushEnded(): void {
    for (const u of this.units.values()) if (u.spans.length > 0 && (u.rootEnded || u.seq > 0)) this.emit(u);
  }

  /** Sends everything buffered and forgets all roots. */
  drain(): void {
    for (const u of this.units.values()) if (u.spans.length > 0) this.emit(u);
    this.units.clear();
    this.retired.clear();
  }

  getStats(): AssemblerStats {
    return { ...this.counters, bufferedSpans: this.buffered };
  }

  private unit(traceId: string, rootId: string): Unit {
    let u = this.units.get(rootId);
    if (u) return u;
    if (this.units.size >= this.o.maxOpenSegments) {
      const oldest = this.units.values().next().value as Unit;
      if (oldest.spans.length > 0) {
        this.counters.sentEarly++;
        this.emit(oldest);
      }
      this.retire(oldest);
    }
    const seq = this.retired.get(rootId) ?? 0;
    this.retired.delete(rootId);
    u = {
      rootId,
      traceId,
      swTraceId: undefined,
      seq,
      spans: [],
      ids: new Map(),
      next: seq === 0 ? 1 : 0,
      waiting: new Set(),
      rootEnded: seq > 0,
      rootName: undefined,
      rootPlacement: undefined,
      placed: new Map(),
      openedAt: 0,
      lastActivity: Date.now(),
      sizeLimited: false,
    };
    this.units.set(rootId, u);
    return u;
  }

  private retire(u: Unit): void {
    this.units.delete(u.rootId);
    if (u.seq === 0 && !u.rootEnded) return;
    if (this.retired.size >= this.o.maxOpenSegments)
      this.retired.delete(this.retired.keys().next().value as string);
    this.retired.set(u.rootId, u.seq);
  }

  private sendOldest(): void {
    for (const u of this.units.values()) {
      if (u.spans.length > 0) {
        this.counters.sentEarly++;
        this.emit(u);
        return;
      }
    }
  }

  private emit(u: Unit): void {
    const seq = u.seq;
    const segmentId = segmentIdOf(u.traceId, u.rootId, seq);
    const recs = u.spans.slice().sort((a, b) => a.startTime - b.startTime);
    const inBatch = new Set<string>();
    for (const r of recs) inBatch.add(r.spanId);
    const ids = u.ids;
    const rootHere = inBatch.has(u.rootId);
    let taken0 = false;
    for (const v of ids.values()) if (v === 0) taken0 = true;
    if (seq === 0 && rootHere) {
      ids.set(u.rootId, 0);
    } else if (!taken0) {
      // Span 0 opens the segment for the OAP: the earliest span whose parent is elsewhere.
      const head =
        recs.find((r) => !ids.has(r.spanId) && !inBatch.has(r.parentSpanId)) ??
        recs.find((r) => !ids.has(r.spanId));
      if (head) ids.set(head.spanId, 0);
    }
    let next = Math.max(u.next, 1);
    for (const r of recs) if (!ids.has(r.spanId)) ids.set(r.spanId, next++);

    const spans: PlacedSpan[] = [];
    for (const r of recs) {
      const id = ids.get(r.spanId) as number;
      const isRoot = r.spanId === u.rootId;
      const p: PlacedSpan = { record: r, id, parent: -1, isRoot };
      if (!isRoot) {
        const parentId = inBatch.has(r.parentSpanId) ? ids.get(r.parentSpanId) : undefined;
        if (parentId !== undefined) p.parent = parentId;
        // A parent still running when the root's segment closed: hang the span under the entry.
        else if (seq === 0 && rootHere) p.parent = 0;
        else {
          const where = u.placed.get(r.parentSpanId) ?? u.rootPlacement;
          if (where)
            p.crossThread = { segmentId: where.segmentId, spanId: where.id, endpoint: u.rootName ?? '' };
        }
      }
      spans.push(p);
    }
    spans.sort((a, b) => a.id - b.id);
    for (const p of spans) {
      const at = { segmentId, id: p.id };
      if (p.isRoot) u.rootPlacement = at;
      else {
        if (u.placed.size >= MAX_PLACED) u.placed.delete(u.placed.keys().next().value as string);
        u.placed.set(p.record.spanId, at);
      }
    }
    const pending: PendingSegment = {
      segmentId,
      swTraceId: u.swTraceId ?? u.traceId,
      spans,
      sizeLimited: u.sizeLimited,
    };
    this.buffered -= recs.length;
    this.counters.segments++;
    if (seq > 0) this.counters.followUpSegments++;
    u.seq++;
    u.spans = [];
    u.ids = new Map();
    u.next = 0;
    u.waiting.clear();
    u.sizeLimited = false;
    u.openedAt = 0;
    this.o.emit(pending);
  }
}
