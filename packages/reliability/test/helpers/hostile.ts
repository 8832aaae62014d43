import fc from 'fast-check';
import { record } from './results.js';

/**
 * Time budget of one call: 250 ms plus 1 ms per 1000 chars (450 ms at 200 KB). The linear parsers
 * take well under 100 ms on 200 KB; a quadratic scan of 200 KB takes tens of seconds and a
 * catastrophic-backtracking regex seconds on a few dozen chars, so either fails by a wide margin.
 */
export const budgetMs = (size: number): number => 250 + size / 1000;
const MAX_ADVERSARIAL = 200_000;

/** Short random text: printable, full Unicode with lone surrogates, and id-like alphabets. */
export const randomText = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef-_=,;:@. \t'), maxLength: 120 }),
);

/**
 * Long inputs built to trigger catastrophic backtracking or quadratic scans: random prefix,
 * a few `pieces` repeated up to ~200 KB, random suffix (the suffix usually breaks the match).
 */
export function adversarial(pieces: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(
      fc.string({ maxLength: 16 }),
      fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 4 }),
      fc.integer({ min: 50, max: 50_000 }),
      fc.string({ maxLength: 16 }),
    )
    .map(([pre, unit, n, post]) => {
      const u = unit.join('');
      return pre + u.repeat(Math.min(n, Math.floor(MAX_ADVERSARIAL / Math.max(1, u.length)))) + post;
    });
}

/** Counts calls, the largest input and the slowest call of one input family. */
export class Tracker {
  calls = 0;
  largest = 0;
  slowest = 0;

  constructor(readonly name: string) {}

  /**
   * Runs `fn`, failing the property if it throws (it propagates) or exceeds the budget twice in a
   * row: a slow algorithm is slow every time, a descheduled test process only once.
   */
  time<T>(size: number, fn: () => T): T {
    let start = performance.now();
    let out = fn();
    let ms = performance.now() - start;
    if (ms > budgetMs(size)) {
      start = performance.now();
      out = fn();
      ms = Math.min(ms, performance.now() - start);
    }
    this.calls++;
    if (size > this.largest) this.largest = size;
    if (ms > this.slowest) this.slowest = ms;
    if (ms > budgetMs(size)) throw new Error(`${this.name}: ${ms.toFixed(1)} ms on a ${size}-char input`);
    return out;
  }

  /** Records a duration measured elsewhere (an HTTP round trip), without a budget check. */
  observe(size: number, ms: number): void {
    this.calls++;
    if (size > this.largest) this.largest = size;
    if (ms > this.slowest) this.slowest = ms;
  }

  record(
    cap: string,
    outcome = 'never threw, every call within its time budget (250 ms + 1 ms per 1000 chars), cap held',
  ): void {
    record({
      group: 'hostile',
      injected: `${this.name}: random and adversarial inputs (fast-check)`,
      figures: {
        inputs: this.calls,
        'largest input (chars)': this.largest,
        'slowest call (ms)': Math.round(this.slowest * 100) / 100,
        'size cap checked': cap,
      },
      outcome,
    });
  }
}

/** fast-check settings: no shrinking on the big adversarial runs (a slow input re-run is slow). */
export const RANDOM_RUNS = { numRuns: 300 };
export const ADVERSARIAL_RUNS = { numRuns: 40, endOnFailure: true };
