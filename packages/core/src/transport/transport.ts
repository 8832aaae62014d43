import { runSuppressed } from '../context.js';
import { type CategoryState, categoryStats, createCategoryState } from './category.js';
import { createCompressionPolicy, maybeGzip } from './compress.js';
import { FlushWaiters } from './flush-waiters.js';
import { createHttpExecutor } from './http-executor.js';
import { resolveTransportOptions } from './resolve-options.js';
import { backoffDelay, classifyStatus, isUnreachable, probeDelay, retryAfterMs } from './retry.js';
import type { Transport, TransportOptions, TransportRequest, TransportStats } from './types.js';

export { createHttpExecutor };

interface Batch {
  readonly cat: CategoryState;
  readonly items: unknown[];
  readonly seqs: number[];
  attempt: number;
  /** Encoded (and maybe gzipped) once, re-sent as is by retries. */
  request: TransportRequest | undefined;
  retryTimer: NodeJS.Timeout | undefined;
  done: boolean;
}

type Outcome = 'delivered' | 'permanent' | 'exhausted' | 'closed';

const MAX_TIMER_MS = 2_147_483_647;

/** The encoder is caller code: a malformed result is dropped like a throw, not sent and retried. */
function checkRequest(req: TransportRequest): TransportRequest {
  if (
    req === null ||
    typeof req !== 'object' ||
    typeof req.url !== 'string' ||
    (typeof req.body !== 'string' && !(req.body instanceof Uint8Array)) ||
    req.headers === null ||
    typeof req.headers !== 'object'
  ) {
    throw new TypeError('encoder returned an invalid request');
  }
  return req;
}

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e)).slice(0, 300);

/**
 * Creates the non-blocking transport (DESIGN.md "Transport rules"): `send` only pushes onto a
 * bounded per-category ring buffer; a worker driven by unref'd immediates and timers encodes,
 * gzips and sends, retries transient failures with jittered backoff and honours 429 holds per
 * category. All worker code and every executor call run under `runSuppressed`, detached from
 * the request that happened to trigger them and invisible to outbound instrumentation.
 *
 * @example
 * const transport = createTransport({ categories: { errors: { batched: false } }, encode });
 * transport.send('errors', event);
 * await transport.flush(2000);
 */
export function createTransport(options: TransportOptions): Transport {
  const o = resolveTransportOptions(options);
  const compressTo = createCompressionPolicy(o.compression);
  const cats = new Map<string, CategoryState>();
  for (const [name, config] of Object.entries(o.categories))
    cats.set(name, createCategoryState(name, config.batched));
  const order = [...cats.values()];
  const waiters = new FlushWaiters();
  const retrying = new Set<Batch>();
  let nextSeq = 0;
  let settledCount = 0;
  let inFlightTotal = 0;
  let requests = 0;
  let failedRequests = 0;
  let pumpImmediate: NodeJS.Immediate | undefined;
  let pumping = false;
  let pumpAgain = false;
  let roundRobin = 0;
  let stopped = false;
  let closePromise: Promise<boolean> | undefined;

  const log = (msg: string): void => {
    if (o.debug === undefined) return;
    try {
      o.debug(msg);
    } catch {
      // A broken logger must not break sending.
    }
  };

  /** Every worker entry point: suppressed, detached from requests, and never throwing. */
  const guarded = (fn: () => void) => () =>
    runSuppressed(() => {
      try {
        fn();
      } catch (e) {
        log(`transport worker error: ${describe(e)}`);
      }
    });

  const timer = (fn: () => void, ms: number): NodeJS.Timeout => {
    const t = setTimeout(guarded(fn), Math.min(MAX_TIMER_MS, Math.max(0, ms)));
    t.unref();
    return t;
  };

  const runPump = guarded(() => {
    pumpImmediate = undefined;
    pumpAll();
  });

  function schedulePump(): void {
    if (pumpImmediate !== undefined || stopped) return;
    pumpImmediate = setImmediate(runPump);
    pumpImmediate.unref();
  }

  /** Dispatches requests while slots are free, one per category per pass so none starves. */
  function pumpAll(): void {
    if (pumping) {
      // A batch settled synchronously inside dispatch; the outer loop picks it up.
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      do {
        pumpAgain = false;
        let progress = true;
        while (progress && inFlightTotal < o.maxInFlightTotal) {
          progress = false;
          for (let k = 0; k < order.length && inFlightTotal < o.maxInFlightTotal; k++) {
            if (dispatchOne(order[(roundRobin + k) % order.length] as CategoryState)) progress = true;
          }
          roundRobin = (roundRobin + 1) % order.length;
        }
      } while (pumpAgain);
      for (const cat of order) {
        if (cat.queue.length === 0) cat.due = false;
        else if (cat.batched && !cat.due && cat.lingerTimer === undefined && !stopped) armLinger(cat);
      }
    } finally {
      pumping = false;
    }
  }

  function armLinger(cat: CategoryState): void {
    cat.lingerTimer = timer(() => {
      cat.lingerTimer = undefined;
      cat.due = true;
      pumpAll();
    }, o.flushInterval);
  }

  function dispatchOne(cat: CategoryState): boolean {
    if (stopped || cat.queue.length === 0 || cat.inFlightRequests >= o.maxInFlight) return false;
    // While the backend is known unreachable, one request at a time probes it.
    if (cat.refusedStreak > 0 && cat.inFlightRequests > 0) return false;
    const heldUntil = Math.max(cat.rateLimitedUntil, cat.pausedUntil);
    if (heldUntil !== 0) {
      const wait = heldUntil - Date.now();
      if (wait > 0) {
        if (cat.holdTimer === undefined) cat.holdTimer = timer(() => endHold(cat), wait);
        return false;
      }
      cat.rateLimitedUntil = cat.pausedUntil = 0;
    }
    // A pending flush sends partial batches at once instead of waiting for the interval.
    if (cat.batched && cat.queue.length < o.maxBatchSize && !cat.due && waiters.size === 0) return false;
    const batch: Batch = {
      cat,
      items: [],
      seqs: [],
      attempt: 0,
      request: undefined,
      retryTimer: undefined,
      done: false,
    };
    const n = cat.queue.take(cat.batched ? o.maxBatchSize : 1, batch.items, batch.seqs);
    cat.inFlightItems += n;
    cat.inFlightRequests++;
    inFlightTotal++;
    runSuppressed(() => void sendBatch(batch));
    return true;
  }

  function endHold(cat: CategoryState): void {
    cat.holdTimer = undefined;
    pumpAll();
  }

  async function sendBatch(b: Batch): Promise<void> {
    const cat = b.cat;
    try {
      if (b.request === undefined) {
        try {
          const req = checkRequest(o.encode(cat.name, b.items));
          b.request = compressTo(req.url) ? await maybeGzip(req, o.gzipThreshold) : req;
        } catch (e) {
          log(`${cat.name}: encoding failed, dropped ${b.items.length} item(s): ${describe(e)}`);
          settle(b, 'permanent');
          return;
        }
      }
      const req = b.request;
      requests++;
      let status: number;
      let retryAfter: string | undefined;
      try {
        const res = await runSuppressed(() => o.executor(req));
        if (res === null || typeof res !== 'object' || typeof res.status !== 'number') {
          throw new Error('executor resolved without a status');
        }
        status = res.status;
        retryAfter = res.headers?.['retry-after'];
      } catch (e) {
        failedRequests++;
        if (isUnreachable(e)) unreachable(b, describe(e));
        else transient(b, `network error: ${describe(e)}`);
        return;
      }
      cat.refusedStreak = 0;
      const kind = classifyStatus(status);
      if (kind === 'delivered') {
        settle(b, 'delivered');
        return;
      }
      failedRequests++;
      if (kind === 'rate-limited') rateLimited(b, retryAfter);
      else if (kind === 'retry') transient(b, `HTTP ${status}`);
      else {
        log(`${cat.name}: HTTP ${status}, dropped ${b.items.length} item(s)`);
        settle(b, 'permanent');
      }
    } catch (e) {
      // Only a bug gets here; release the slot rather than leak it.
      log(`${cat.name}: transport error: ${describe(e)}`);
      settle(b, 'permanent');
    }
  }

  function transient(b: Batch, reason: string): void {
    const cat = b.cat;
    if (stopped) {
      settle(b, 'closed');
      return;
    }
    if (b.attempt >= o.maxRetries) {
      log(`${cat.name}: ${reason}; dropped ${b.items.length} item(s) after ${b.attempt} retries`);
      settle(b, 'exhausted');
      return;
    }
    const delay = backoffDelay(b.attempt, o.retryBaseMs);
    b.attempt++;
    log(`${cat.name}: ${reason}; retry ${b.attempt}/${o.maxRetries} in ${delay} ms`);
    retrying.add(b);
    // The batch keeps its in-flight slot while it waits: under a dead backend that is what
    // stops new requests piling up, and its items keep counting against the bound and flush.
    b.retryTimer = timer(() => {
      b.retryTimer = undefined;
      retrying.delete(b);
      if (stopped) settle(b, 'closed');
      else if (cat.rateLimitedUntil > Date.now()) requeue(b);
      else {
        cat.retries++;
        void sendBatch(b);
      }
    }, delay);
  }

  /**
   * Nothing reached the backend (see `isUnreachable`): the batch goes back to its queue with its
   * retry budget intact and the category pauses, so an outage costs only the bounded queue's
   * overflow; the next batch to go out is the probe.
   */
  function unreachable(b: Batch, reason: string): void {
    const cat = b.cat;
    if (stopped) {
      settle(b, 'closed');
      return;
    }
    const now = Date.now();
    if (cat.pausedUntil <= now) {
      // One step per probe, not per batch: requests refused together are one failure.
      const wait = probeDelay(cat.refusedStreak++, o.retryBaseMs);
      cat.pausedUntil = now + wait;
      log(`${cat.name}: backend unreachable (${reason}); items stay queued, next try in ${wait} ms`);
    }
    cat.retries++;
    requeue(b);
  }

  function rateLimited(b: Batch, header: string | undefined): void {
    const cat = b.cat;
    const now = Date.now();
    // At least one backoff base, so a backend answering `Retry-After: 0` forever cannot turn
    // the held category into a request storm.
    const wait = Math.max(o.retryBaseMs, retryAfterMs(header, now, o.maxRetryAfterMs, o.defaultRetryAfterMs));
    if (now + wait > cat.rateLimitedUntil) {
      cat.rateLimitedUntil = now + wait;
      if (cat.holdTimer !== undefined) clearTimeout(cat.holdTimer);
      cat.holdTimer = stopped ? undefined : timer(() => endHold(cat), wait);
    }
    log(`${cat.name}: HTTP 429, category held for ${wait} ms`);
    if (stopped) settle(b, 'closed');
    else requeue(b);
  }

  function release(b: Batch): void {
    b.done = true;
    b.cat.inFlightItems -= b.items.length;
    b.cat.inFlightRequests--;
    inFlightTotal--;
  }

  /** Hands a held-back batch back to the front of its queue, in sequence order. */
  function requeue(b: Batch): void {
    if (b.done) return;
    release(b);
    // Always within the bound: these items were counted in inFlightItems until release().
    for (let i = b.items.length - 1; i >= 0; i--) b.cat.queue.putBack(b.items[i], b.seqs[i] as number);
    pumpAll();
  }

  function settle(b: Batch, outcome: Outcome): void {
    if (b.done) return;
    release(b);
    const cat = b.cat;
    const n = b.items.length;
    if (outcome === 'delivered') cat.delivered += n;
    else if (outcome === 'permanent') cat.droppedPermanent += n;
    else if (outcome === 'exhausted') cat.droppedRetriesExhausted += n;
    else cat.droppedClosed += n;
    settleSeqs(b.seqs);
    if (!stopped) pumpAll();
  }

  function settleSeqs(seqs: readonly number[]): void {
    settledCount += seqs.length;
    waiters.settled(seqs);
  }

  function flush(timeoutMs?: number): Promise<boolean> {
    try {
      const done = waiters.wait(nextSeq, nextSeq - settledCount, timeoutMs, timer);
      schedulePump();
      return done;
    } catch {
      return Promise.resolve(false);
    }
  }

  /** Stops timers and gives up on everything not already inside the executor. */
  function stop(): void {
    stopped = true;
    let dropped = 0;
    if (pumpImmediate !== undefined) clearImmediate(pumpImmediate);
    pumpImmediate = undefined;
    for (const cat of order) {
      if (cat.lingerTimer !== undefined) clearTimeout(cat.lingerTimer);
      if (cat.holdTimer !== undefined) clearTimeout(cat.holdTimer);
      cat.lingerTimer = cat.holdTimer = undefined;
      const seqs = cat.queue.clear();
      cat.droppedClosed += seqs.length;
      dropped += seqs.length;
      settleSeqs(seqs);
    }
    for (const b of retrying) {
      if (b.retryTimer !== undefined) clearTimeout(b.retryTimer);
      dropped += b.items.length;
      settle(b, 'closed');
    }
    retrying.clear();
    if (dropped > 0) log(`closed: ${dropped} unsent item(s) dropped`);
  }

  return {
    send(category: string, item: unknown): boolean {
      try {
        const cat = cats.get(category);
        if (cat === undefined) {
          log(`unknown category "${String(category).slice(0, 64)}": item dropped`);
          return false;
        }
        if (stopped) {
          cat.droppedClosed++;
          return false;
        }
        if (cat.queue.length + cat.inFlightItems >= o.queueSize) {
          cat.droppedQueueFull++;
          return false;
        }
        cat.queue.push(item, nextSeq++);
        cat.enqueued++;
        if (!cat.batched || cat.queue.length >= o.maxBatchSize) schedulePump();
        else if (cat.lingerTimer === undefined && !cat.due) armLinger(cat);
        return true;
      } catch {
        return false;
      }
    },
    flush,
    close(timeoutMs?: number): Promise<boolean> {
      closePromise ??= flush(timeoutMs).then(
        (ok) => {
          runSuppressed(stop);
          return ok;
        },
        () => {
          runSuppressed(stop);
          return false;
        },
      );
      return closePromise;
    },
    getStats(): TransportStats {
      const now = Date.now();
      const categories = order.map((c) => [c.name, categoryStats(c, now)] as const);
      return { categories: Object.fromEntries(categories), requests, failedRequests };
    },
  };
}
