import { EMPTY_CLOCK, MAX_CLOCK_COMPONENTS, type VectorClock, joinClocks } from './vector-clock.js';
import type { CausalityVector } from './wire.js';

/**
 * The vector clocks of one service instance.
 *
 * Every request context is a logical thread with its own clock component, named
 * `<service>#<instance>/<slot>`. Slots are recycled: a context that ended gives its slot to the
 * next one, whose counter continues where the last owner stopped. That keeps vectors as long as
 * the peak number of live contexts, not the number of requests ever served, and it is sound:
 * the new owner starts after the old one ended and has joined its clock, so a slot's history
 * stays one happens-before chain.
 *
 * Synchronization that orders events of different contexts:
 * - **request boundaries**: a context that ends releases its clock into `ended`; every event of
 *   every context first joins `ended` (cheaply: only when it changed). So everything a finished
 *   request did happens-before whatever any context does afterwards — sequential requests never race;
 * - **locks**: a release stores the releaser's clock on the lock, an acquire joins it;
 * - **propagation**: an inbound `raceway-clock` is joined when a context opens.
 */

/** The clock state of one live context. */
export interface ClockCell {
  readonly slot: number;
  readonly component: string;
  counter: number;
  /** Everything this context knows, except its own current counter. Replaced, never mutated. */
  base: VectorClock;
  /** The `endedVersion` last joined. */
  seenEnded: number;
}

/** A clock as it was at one event (shares `base` with the neighbouring events). */
export interface ClockSnapshot {
  readonly base: VectorClock;
  readonly component: string;
  readonly counter: number;
}

export class ClockDomain {
  private readonly counters: number[] = [];
  private readonly free: number[] = [];
  private readonly names: string[] = [];
  private ended: VectorClock = EMPTY_CLOCK;
  private endedVersion = 0;
  private readonly lockClocks = new Map<string, VectorClock>();
  live = 0;
  /** Lock clocks forgotten because more than `maxLocks` locks were in use. */
  locksEvicted = 0;

  constructor(
    private readonly prefix: string,
    private readonly maxContexts: number,
    private readonly maxLocks: number,
  ) {}

  /** Opens a context's clock, joined with what ended before and with `initial`; undefined when full. */
  open(initial: VectorClock | undefined): ClockCell | undefined {
    if (this.live >= this.maxContexts) return undefined;
    let slot = this.free.pop();
    if (slot === undefined) {
      slot = this.counters.length;
      this.counters.push(0);
      this.names.push(`${this.prefix}${slot}`);
    }
    this.live++;
    return {
      slot,
      component: this.names[slot]!,
      counter: this.counters[slot]!,
      base: initial ? joinClocks(this.ended, initial) : this.ended,
      seenEnded: this.endedVersion,
    };
  }

  /** One event of the context: joins what ended since its last event, then advances its counter. */
  tick(cell: ClockCell): ClockSnapshot {
    if (cell.seenEnded !== this.endedVersion) {
      cell.base = joinClocks(cell.base, this.ended);
      cell.seenEnded = this.endedVersion;
    }
    cell.counter++;
    return { base: cell.base, component: cell.component, counter: cell.counter };
  }

  /** Before a `LockAcquire` event: whatever the last holder did happens-before what follows. */
  acquire(cell: ClockCell, lockId: string): void {
    const held = this.lockClocks.get(lockId);
    if (held) cell.base = joinClocks(cell.base, held);
  }

  /** After a `LockRelease` event: the lock carries the releaser's clock to the next holder. */
  release(cell: ClockCell, lockId: string): void {
    const prev = this.lockClocks.get(lockId);
    const clock = joinClocks(prev ?? EMPTY_CLOCK, fullClock(cell));
    // Re-inserted so the Map's order is least-recently-released first, which is what gets evicted.
    this.lockClocks.delete(lockId);
    this.lockClocks.set(lockId, clock);
    if (this.lockClocks.size > this.maxLocks) {
      const oldest = this.lockClocks.keys().next().value;
      if (oldest !== undefined) this.lockClocks.delete(oldest);
      this.locksEvicted++;
    }
  }

  /** What every context that ended so far knew. */
  endedClock(): VectorClock {
    return this.ended;
  }

  /** Ends a context: its clock is released to every later event, its slot freed. Returns the final clock. */
  end(cell: ClockCell): VectorClock {
    const final = fullClock(cell);
    let ended = joinClocks(this.ended, final);
    if (ended.size > MAX_CLOCK_COMPONENTS) ended = this.trim(ended);
    this.ended = ended;
    this.endedVersion++;
    this.counters[cell.slot] = Math.max(this.counters[cell.slot]!, cell.counter);
    this.free.push(cell.slot);
    this.live--;
    return final;
  }

  /**
   * Components from other instances pile up over a long uptime (instances come and go); past the
   * bound the oldest foreign ones are forgotten. Forgetting only removes happens-before edges to
   * long-gone events, so it can only add reports about them, never hide a race.
   */
  private trim(clock: VectorClock): VectorClock {
    const out = new Map<string, number>();
    let drop = clock.size - MAX_CLOCK_COMPONENTS;
    for (const [k, v] of clock) {
      if (drop > 0 && !k.startsWith(this.prefix)) {
        drop--;
        continue;
      }
      out.set(k, v);
    }
    return out;
  }
}

/** The context's whole clock: its base plus its own current counter. */
export function fullClock(cell: ClockCell): VectorClock {
  if ((cell.base.get(cell.component) ?? 0) >= cell.counter) return cell.base;
  const m = new Map(cell.base);
  m.set(cell.component, cell.counter);
  return m;
}

/** Wire form of a snapshot: the context's own component first, then the rest (zero counters left out). */
export function snapshotPairs(s: ClockSnapshot): CausalityVector {
  const out: CausalityVector = [[s.component, s.counter]];
  for (const [k, v] of s.base) if (v > 0 && k !== s.component) out.push([k, v]);
  return out;
}
