/**
 * A ring buffer of items, each with the sequence number `flush()` uses to know what was queued
 * before it. Every operation is O(1) amortized (no `Array#shift`, which is O(n) on large
 * arrays), and the storage grows by doubling, so an idle category costs a few slots instead of
 * a pre-allocated `queueSize`. The transport enforces the bound; the buffer itself is unbounded.
 */
export class RingQueue {
  private items: unknown[];
  private seqs: number[];
  private head = 0;
  private size = 0;
  private mask: number;

  constructor(initialCapacity = 16) {
    let cap = 1;
    while (cap < initialCapacity) cap *= 2;
    this.items = new Array(cap);
    this.seqs = new Array(cap).fill(0);
    this.mask = cap - 1;
  }

  get length(): number {
    return this.size;
  }

  /** Appends at the back (the normal path). */
  push(item: unknown, seq: number): void {
    if (this.size > this.mask) this.grow();
    const i = (this.head + this.size) & this.mask;
    this.items[i] = item;
    this.seqs[i] = seq;
    this.size++;
  }

  /**
   * Puts an item back near the front, at its place in sequence order (the queue is otherwise
   * sorted, as items are pushed in order and taken from the front). Used when a 429 hands a
   * batch back: several batches of one category may come back in any order, and must still
   * go out oldest first. Cost is the number of put-back items ahead of it, which is bounded
   * by the requests in flight.
   */
  putBack(item: unknown, seq: number): void {
    if (this.size > this.mask) this.grow();
    let i = (this.head - 1) & this.mask;
    this.head = i;
    this.size++;
    for (let k = 1; k < this.size; k++) {
      const next = (i + 1) & this.mask;
      if ((this.seqs[next] as number) >= seq) break;
      this.items[i] = this.items[next];
      this.seqs[i] = this.seqs[next] as number;
      i = next;
    }
    this.items[i] = item;
    this.seqs[i] = seq;
  }

  /** Moves up to `n` items from the front into the two output arrays; returns how many. */
  take(n: number, outItems: unknown[], outSeqs: number[]): number {
    const count = Math.min(n, this.size);
    for (let k = 0; k < count; k++) {
      const i = this.head;
      outItems.push(this.items[i]);
      outSeqs.push(this.seqs[i] as number);
      this.items[i] = undefined; // let the item be collected once sent
      this.head = (i + 1) & this.mask;
    }
    this.size -= count;
    return count;
  }

  /** Empties the queue and returns the sequence numbers that were in it. */
  clear(): number[] {
    const seqs: number[] = [];
    this.take(this.size, [], seqs);
    this.head = 0;
    return seqs;
  }

  private grow(): void {
    const cap = this.mask + 1;
    const items = new Array(cap * 2);
    const seqs = new Array(cap * 2).fill(0);
    for (let k = 0; k < this.size; k++) {
      const i = (this.head + k) & this.mask;
      items[k] = this.items[i];
      seqs[k] = this.seqs[i];
    }
    this.items = items;
    this.seqs = seqs;
    this.head = 0;
    this.mask = cap * 2 - 1;
  }
}
