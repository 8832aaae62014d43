import type { TransportExecutor, TransportRequest, TransportResponse } from '@sightline/core';
import { fitEvent } from './truncate.js';
import type { ErrSightEvent } from './wire.js';

/** The server's per-request limits (ErrSight-OSS `events_controller.rb`). */
export const MAX_EVENTS_PER_REQUEST = 100;
export const MAX_PAYLOAD_BYTES = 512 * 1024;

/** Per-event outcomes the transport's batch counters cannot show. */
export interface BatchStats {
  /** Events the server accepted (202). */
  accepted: number;
  /** Oversized events sent shortened (`metadata.truncated: true`). */
  truncated: number;
  /** Batches halved after a 413 or 422. */
  splits: number;
  /** Single events the server still found too large (413), or that could not be serialized. */
  droppedTooLarge: number;
  /** Single events the server rejected as invalid (422). */
  droppedInvalid: number;
  /** Events dropped with a batch the server refused for good (401, 403, other 4xx). */
  droppedRejected: number;
}

interface Part {
  event: ErrSightEvent;
  json: string;
  bytes: number;
}

/**
 * The layer between ErrSight and core's transport. The encoder turns a batch of events into
 * chunks of at most 100 events and `maxBytes` bytes (a single oversized event is shortened), and
 * the executor sends those chunks one after another: on 413/422 it halves the chunk and tries
 * again, dropping (and counting) a single event the server still refuses. Any other failure goes
 * back to the transport, which retries, holds for `Retry-After` or drops — and because events
 * already accepted are remembered, a retried or re-queued batch never sends them twice.
 */
export function createBatchLayer(base: TransportExecutor, maxBytes: number, stats: BatchStats) {
  const pending = new WeakMap<TransportRequest, Part[][]>();
  // Events accepted or dropped for good: skipped when a held-back batch is encoded again.
  const settled = new WeakSet<object>();

  function chunk(parts: Part[]): Part[][] {
    const chunks: Part[][] = [];
    let cur: Part[] = [];
    let size = 2;
    for (const p of parts) {
      const add = p.bytes + (cur.length > 0 ? 1 : 0);
      if (cur.length > 0 && (cur.length >= MAX_EVENTS_PER_REQUEST || size + add > maxBytes)) {
        chunks.push(cur);
        cur = [];
        size = 2;
      }
      size += p.bytes + (cur.length > 0 ? 1 : 0);
      cur.push(p);
    }
    if (cur.length > 0) chunks.push(cur);
    return chunks;
  }

  const body = (c: Part[]): string => `[${c.map((p) => p.json).join(',')}]`;

  function encode(items: readonly unknown[], request: Omit<TransportRequest, 'body'>): TransportRequest {
    const parts: Part[] = [];
    for (const item of items) {
      const event = item as ErrSightEvent;
      if (settled.has(event)) continue;
      const fitted = fitEvent(event, maxBytes - 2);
      if (!fitted) {
        settled.add(event);
        stats.droppedTooLarge++;
        continue;
      }
      if (fitted.truncated) stats.truncated++;
      parts.push({ event, json: fitted.json, bytes: Buffer.byteLength(fitted.json, 'utf8') });
    }
    const chunks = chunk(parts);
    const req: TransportRequest = {
      ...request,
      body: chunks.length === 1 ? body(chunks[0] as Part[]) : '[]',
    };
    pending.set(req, chunks);
    return req;
  }

  function settle(c: Part[]): void {
    for (const p of c) settled.add(p.event);
  }

  const execute: TransportExecutor = async (req) => {
    const chunks = pending.get(req);
    if (!chunks) return base(req);
    while (chunks.length > 0) {
      const c = chunks[0] as Part[];
      const res: TransportResponse = await base({ ...req, body: body(c) });
      const s = res.status;
      if (s >= 200 && s < 300) {
        chunks.shift();
        settle(c);
        stats.accepted += c.length;
        continue;
      }
      if (s === 413 || s === 422) {
        chunks.shift();
        if (c.length > 1) {
          const mid = Math.ceil(c.length / 2);
          chunks.unshift(c.slice(0, mid), c.slice(mid));
          stats.splits++;
        } else {
          settle(c);
          if (s === 413) stats.droppedTooLarge++;
          else stats.droppedInvalid++;
        }
        continue;
      }
      if (s >= 400 && s < 500 && s !== 408 && s !== 429) {
        // The transport drops the batch; count the events it still held.
        let n = 0;
        for (const rest of chunks) n += rest.length;
        stats.droppedRejected += n;
        chunks.length = 0;
      }
      return res;
    }
    // Everything in this batch was accepted or dropped with a count.
    return { status: 202, headers: {} };
  };

  return { encode, execute };
}
