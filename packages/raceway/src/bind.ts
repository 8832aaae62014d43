import { activeContext, withContext } from '@sightline/core';

/**
 * Binds `fn` to the current request's context. Node carries the context through promises,
 * timers and `queueMicrotask` on its own; this covers what it cannot: callbacks that a
 * long-lived object calls later from another context — an `EventEmitter` created at startup, an
 * in-process job queue drained by a worker loop, a connection pool's callbacks. Events recorded
 * inside then belong to the request that bound the function.
 *
 * @example
 * queue.push(bindContext(() => debit('alice', 10)));
 */
export function bindContext<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => R {
  if (typeof fn !== 'function') return fn;
  const ctx = activeContext();
  return function bound(this: unknown, ...args: A): R {
    return withContext(ctx, () => fn.apply(this, args));
  };
}
