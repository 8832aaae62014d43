import { activeRuntime } from './runtime.js';
import { callSiteFor, trackLock } from './track.js';

/**
 * A process-wide async mutex per lock name, FIFO, shared by the ESM and CJS builds (two copies
 * would let two holders in at once).
 */
interface LockTable {
  /** Present while the lock is held; the waiters to wake, in order. */
  held: Map<string, Array<() => void>>;
}

const KEY = Symbol.for('sightline.raceway.locks.v1');
const g = globalThis as unknown as Record<symbol, LockTable | undefined>;
const table: LockTable = g[KEY] ?? (g[KEY] = { held: new Map() });

function acquire(lockId: string): Promise<void> | undefined {
  const waiters = table.held.get(lockId);
  if (waiters === undefined) {
    table.held.set(lockId, []);
    return undefined;
  }
  return new Promise<void>((resolve) => waiters.push(resolve));
}

function release(lockId: string): void {
  const waiters = table.held.get(lockId);
  const next = waiters?.shift();
  // Ownership passes straight to the next waiter, so nobody can slip in between.
  if (next) next();
  else table.held.delete(lockId);
}

/**
 * Runs `fn` holding the in-process mutex `lockId` (FIFO, not re-entrant: calling `withLock` with
 * the same name inside `fn` waits forever), and records `LockAcquire` / `LockRelease` around it,
 * so accesses inside are ordered after the previous holder's and carry the lock in their lock
 * set. The mutex works whether or not Sightline is initialized; it only orders this process.
 * Resolves or rejects with what `fn` does; the lock is released either way.
 *
 * @example
 * await withLock('account:alice', async () => {
 *   const balance = await readBalance('alice');
 *   await writeBalance('alice', balance - amount);
 * });
 */
export async function withLock<T>(lockId: string, fn: () => T | Promise<T>): Promise<T> {
  if (typeof lockId !== 'string' || lockId === '')
    throw new TypeError('Invalid `lockId`: must be a non-empty string');
  if (typeof fn !== 'function') throw new TypeError('Invalid `fn`: must be a function');
  const where = callSiteFor(activeRuntime(), withLock);
  const wait = acquire(lockId);
  if (wait) await wait;
  try {
    trackLock(lockId, 'Mutex', where, true);
    try {
      return await fn();
    } finally {
      trackLock(lockId, 'Mutex', where, false);
    }
  } finally {
    release(lockId);
  }
}
