import { RingQueue } from './queue.js';
import type { CategoryStats } from './types.js';

/** The mutable state of one category (= one endpoint) inside the transport. */
export interface CategoryState {
  readonly name: string;
  readonly batched: boolean;
  readonly queue: RingQueue;
  /** Items in dispatched batches (sending or waiting for a retry); they count against the bound. */
  inFlightItems: number;
  inFlightRequests: number;
  /** A partial batch has waited `flushInterval` and may go out. */
  due: boolean;
  lingerTimer: NodeJS.Timeout | undefined;
  holdTimer: NodeJS.Timeout | undefined;
  /** Epoch ms until which a 429 holds the category, or 0. */
  rateLimitedUntil: number;
  /** Epoch ms until which the category waits to probe an unreachable backend again, or 0. */
  pausedUntil: number;
  /** Refused probes in a row; grows the pause, reset by any HTTP response. */
  refusedStreak: number;
  enqueued: number;
  delivered: number;
  retries: number;
  droppedQueueFull: number;
  droppedPermanent: number;
  droppedRetriesExhausted: number;
  droppedClosed: number;
}

export function createCategoryState(name: string, batched: boolean): CategoryState {
  return {
    name,
    batched,
    queue: new RingQueue(),
    inFlightItems: 0,
    inFlightRequests: 0,
    due: false,
    lingerTimer: undefined,
    holdTimer: undefined,
    rateLimitedUntil: 0,
    pausedUntil: 0,
    refusedStreak: 0,
    enqueued: 0,
    delivered: 0,
    retries: 0,
    droppedQueueFull: 0,
    droppedPermanent: 0,
    droppedRetriesExhausted: 0,
    droppedClosed: 0,
  };
}

/** A snapshot for `getStats()`; a hold that has already ended reads as 0. */
export function categoryStats(c: CategoryState, now: number): CategoryStats {
  return {
    enqueued: c.enqueued,
    delivered: c.delivered,
    queued: c.queue.length,
    inFlight: c.inFlightItems,
    retries: c.retries,
    dropped: c.droppedQueueFull + c.droppedPermanent + c.droppedRetriesExhausted + c.droppedClosed,
    droppedQueueFull: c.droppedQueueFull,
    droppedPermanent: c.droppedPermanent,
    droppedRetriesExhausted: c.droppedRetriesExhausted,
    droppedClosed: c.droppedClosed,
    rateLimitedUntil: c.rateLimitedUntil > now ? c.rateLimitedUntil : 0,
  };
}
