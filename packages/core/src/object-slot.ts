/**
 * State kept on an object under a private, unregistered symbol.
 *
 * Per-request state used to live in `WeakMap`s keyed by the request (STYLE rule 5). On Node 20
 * that costs more than everything else the request lifecycle does: a `WeakMap`'s table lives in
 * old space, keeps an entry for every request until the next full GC, and every scavenge walks
 * it — ~4.5 µs of GC per request with a single table (`bench/profile/lifecycle-loop.mjs`: 8.7 →
 * 3.2 µs per request, GC 4.7 → 0.2 µs). A symbol slot dies with its object like a young
 * allocation. The symbol is private (not `Symbol.for`), so nothing else can read or collide
 * with it; it stays out of `Object.keys`, `for…in` and `JSON.stringify`.
 *
 * @example
 * const spans = createObjectSlot<Span>('sightline.span');
 * spans.set(req, span);
 * spans.get(req); // span
 */
export interface ObjectSlot<T> {
  get(target: object): T | undefined;
  /** False when the object cannot take it (frozen, sealed, a proxy that refuses). */
  set(target: object, value: T): boolean;
  has(target: object): boolean;
  /** Clears the slot (without `delete`, which would turn the object's shape into a dictionary). */
  clear(target: object): void;
}

type Slotted<T> = Record<symbol, T | undefined>;

export function createObjectSlot<T>(description: string): ObjectSlot<T> {
  const key = Symbol(description);
  const get = (target: object): T | undefined => {
    try {
      return (target as Slotted<T>)[key];
    } catch {
      // A proxy whose get trap throws: treat as empty rather than throw into the app.
      return undefined;
    }
  };
  return {
    get,
    set(target, value) {
      try {
        (target as Slotted<T>)[key] = value;
        return (target as Slotted<T>)[key] === value;
      } catch {
        return false;
      }
    },
    has: (target) => get(target) !== undefined,
    clear(target) {
      try {
        if ((target as Slotted<T>)[key] !== undefined) (target as Slotted<T>)[key] = undefined;
      } catch {
        // A proxy that throws on set: nothing was stored there either.
      }
    },
  };
}
