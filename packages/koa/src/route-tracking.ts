import { createObjectSlot } from '@sightline/core';
import { type RoutedContext, koaRoute } from './route.js';

/**
 * `@koa/router` writes `ctx._matchedRoute` as soon as it matched, before any handler runs, but
 * the middleware only regains control once the whole chain settled. To give events captured by
 * handlers (`captureException`, logs) the route too, the context gets a per-request accessor for
 * that one field: the value lives in a private symbol slot and reads return it unchanged.
 */

type OnRoute = (ctx: RoutedContext, route: string) => void;

interface State {
  value: unknown;
  last: string | undefined;
  readonly onRoute: OnRoute;
}

// Under a private symbol, not in a WeakMap: see createObjectSlot in core for the GC cost.
const states = createObjectSlot<State>('sightline.koa.route');

const accessor: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: object) {
    return states.get(this)?.value;
  },
  set(this: RoutedContext, value: unknown) {
    const s = states.get(this);
    if (!s) {
      Object.defineProperty(this, '_matchedRoute', {
        value,
        writable: true,
        configurable: true,
        enumerable: true,
      });
      return;
    }
    s.value = value;
    try {
      const route = koaRoute(this);
      if (route !== undefined && route !== s.last) {
        s.last = route;
        s.onRoute(this, route);
      }
    } catch {
      // Never let telemetry break routing.
    }
  },
};

/** Calls `onRoute` with the template each time the router's match changes the route. */
export function trackKoaRoute(ctx: RoutedContext, onRoute: OnRoute): void {
  if (states.has(ctx)) return;
  try {
    if (!states.set(ctx, { value: ctx._matchedRoute, last: undefined, onRoute })) return;
    Object.defineProperty(ctx, '_matchedRoute', accessor);
  } catch {
    // A context whose field cannot be redefined: the route is still read at the end.
    states.clear(ctx);
  }
}
