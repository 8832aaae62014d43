import type { CausalityVector } from './wire.js';

/**
 * Vector clocks as immutable maps `component → counter` (a missing component is 0). The SDK and
 * the analysis share these few functions, so "happens-before" means the same thing on both sides.
 */
export type VectorClock = ReadonlyMap<string, number>;

export const EMPTY_CLOCK: VectorClock = new Map();

/** Most components read from one untrusted vector (header or event). */
export const MAX_CLOCK_COMPONENTS = 512;
const MAX_COMPONENT_LENGTH = 256;

/** Order of two clocks: `before` means `a` happens-before `b`. */
export type ClockOrder = 'before' | 'after' | 'equal' | 'concurrent';

/** Component-wise maximum, as a new clock. Returns `a` itself when `b` adds nothing. */
export function joinClocks(a: VectorClock, b: VectorClock): VectorClock {
  let out: Map<string, number> | undefined;
  for (const [k, v] of b) {
    if (v > (a.get(k) ?? 0)) {
      out ??= new Map(a);
      out.set(k, v);
    }
  }
  return out ?? a;
}

/** True when every component of `a` is ≤ the same component of `b`. */
export function clockLeq(a: VectorClock, b: VectorClock): boolean {
  for (const [k, v] of a) if (v > (b.get(k) ?? 0)) return false;
  return true;
}

/** How `a` and `b` are ordered. */
export function compareClocks(a: VectorClock, b: VectorClock): ClockOrder {
  const le = clockLeq(a, b);
  const ge = clockLeq(b, a);
  if (le && ge) return 'equal';
  if (le) return 'before';
  if (ge) return 'after';
  return 'concurrent';
}

/**
 * Reads `[[component, counter], ...]` from untrusted JSON: only well-formed pairs (string of at
 * most 256 chars, non-negative safe integer) are kept, at most {@link MAX_CLOCK_COMPONENTS};
 * a repeated component keeps its largest counter. Never throws.
 */
export function clockFromPairs(pairs: unknown): Map<string, number> {
  const out = new Map<string, number>();
  if (!Array.isArray(pairs)) return out;
  const n = Math.min(pairs.length, MAX_CLOCK_COMPONENTS);
  for (let i = 0; i < n; i++) {
    const p = pairs[i];
    if (!Array.isArray(p) || p.length !== 2) continue;
    const [k, v] = p;
    if (typeof k !== 'string' || k.length === 0 || k.length > MAX_COMPONENT_LENGTH) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) continue;
    if (v > (out.get(k) ?? -1)) out.set(k, v);
  }
  return out;
}

/** The wire form, components with a zero counter left out. */
export function clockToPairs(clock: VectorClock): CausalityVector {
  const out: CausalityVector = [];
  for (const [k, v] of clock) if (v > 0) out.push([k, v]);
  return out;
}
