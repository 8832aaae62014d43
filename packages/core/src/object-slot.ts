import { subscribe, unsubscribe } from 'node:diagnostics_channel';

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
  return slotUnder<T>(Symbol(description));
}

function slotUnder<T>(key: symbol): ObjectSlot<T> {
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

/**
 * Slot keys of per-request state, written as `undefined` on every inbound request before any
 * framework sees it (see {@link preseedRequestSlots}).
 */
const requestSlotKeys: symbol[] = [];

/**
 * An {@link ObjectSlot} for state kept on inbound `IncomingMessage`s. Same contract; on top of
 * it, while a client is enabled its key is pre-created on every request the moment Node parses
 * it. The reason is measured, not cosmetic: Express (and Nest on Express) re-prototype each
 * request with `Object.setPrototypeOf(req, app.request)`, and on V8 11 (Node 20) adding any
 * property to an object after that costs ~1.8 µs (against ~0.1 µs before it), because the new
 * map's transitions are not shared. A property that already exists is a plain store.
 */
export function createRequestSlot<T>(description: string): ObjectSlot<T> {
  const key = Symbol(description);
  requestSlotKeys.push(key);
  return slotUnder<T>(key);
}

function preseed(message: unknown): void {
  const req = (message as { request?: unknown } | null)?.request;
  if (req === null || typeof req !== 'object') return;
  try {
    // A request Node has just parsed: none of the keys can be there yet.
    for (let i = 0; i < requestSlotKeys.length; i++)
      (req as Slotted<unknown>)[requestSlotKeys[i]!] = undefined;
  } catch {
    // A request that refuses properties keeps the slots' own fallback behaviour.
  }
}

const SERVER_REQUEST_START = 'http.server.request.start';
let preseedUsers = 0;

/**
 * Subscribes (once per process, counted) to node:http's `http.server.request.start`, which Node
 * publishes before the server's `'request'` event, and pre-creates every request slot's key on
 * the new request. Returns the unsubscribe (idempotent). Never throws.
 */
export function preseedRequestSlots(): () => void {
  let subscribed = false;
  try {
    if (preseedUsers === 0) subscribe(SERVER_REQUEST_START, preseed);
    preseedUsers++;
    subscribed = true;
  } catch {
    // No diagnostics_channel support: the slots still work, just without the head start.
  }
  return () => {
    if (!subscribed) return;
    subscribed = false;
    if (--preseedUsers === 0) {
      try {
        unsubscribe(SERVER_REQUEST_START, preseed);
      } catch {
        // Nothing to undo.
      }
    }
  };
}
