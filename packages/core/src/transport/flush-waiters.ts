interface Waiter {
  /** Items with a sequence number below this were queued before the flush call. */
  readonly target: number;
  /** Of those, how many have not settled yet. */
  remaining: number;
  readonly resolve: (ok: boolean) => void;
  timer: NodeJS.Timeout | undefined;
}

/**
 * Pending `flush()` calls. Each remembers the sequence number at its call and how many items
 * were unsettled then, and counts down only for settled items below that number. Items settle
 * out of order (retries, several requests in flight), so a plain "settled counter reached the
 * enqueue counter" test would let a later item stand in for an earlier one still retrying.
 */
export class FlushWaiters {
  private readonly waiters = new Set<Waiter>();

  get size(): number {
    return this.waiters.size;
  }

  /**
   * Resolves true once the `pending` items numbered below `target` have settled, false when
   * `startTimer` fires first (`timeoutMs` undefined or infinite: no timeout).
   */
  wait(
    target: number,
    pending: number,
    timeoutMs: number | undefined,
    startTimer: (fn: () => void, ms: number) => NodeJS.Timeout,
  ): Promise<boolean> {
    if (pending <= 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const w: Waiter = { target, remaining: pending, resolve, timer: undefined };
      this.waiters.add(w);
      if (typeof timeoutMs === 'number' && timeoutMs < Number.POSITIVE_INFINITY) {
        w.timer = startTimer(() => this.finish(w, false), Number.isNaN(timeoutMs) ? 0 : timeoutMs);
      }
    });
  }

  /** Records that the items with these sequence numbers were delivered or given up on. */
  settled(seqs: readonly number[]): void {
    for (const w of this.waiters) {
      for (const s of seqs) if (s < w.target) w.remaining--;
      if (w.remaining <= 0) this.finish(w, true);
    }
  }

  private finish(w: Waiter, ok: boolean): void {
    if (!this.waiters.delete(w)) return;
    if (w.timer !== undefined) clearTimeout(w.timer);
    w.resolve(ok);
  }
}
