/**
 * Route templates for Express 4 and 5 without patching the router.
 *
 * Express assigns `req.route` when a route matches and moves `req.baseUrl` as the request enters
 * and leaves mounted routers, restoring it while `next(err)` unwinds. By the time an app-level
 * error handler or the response's `close` runs, `req.baseUrl` may already belong to an outer
 * router, so the template has to be taken at the moment the route matches. Both majors assign
 * these two fields with plain property writes, so accessors observe them (Express offers no
 * diagnostics channel before router 2.3, and patching `Layer` is what STYLE rule 3 rules out):
 * on the app's request prototype once the app has served a request, on the request itself before
 * that and on Express 4. The values live in a private symbol slot; the accessors only forward.
 *
 * `req.baseUrl` holds the *matched* prefix (`/orgs/acme`), not its pattern. When a mount path has
 * parameters, the segment just added is turned back into a template from `req.params`, which at
 * that moment holds exactly the mount layer's parameters in both majors.
 */

import { createRequestSlot } from '@sightline/core';

/** The request fields Express writes while routing. */
export interface RoutedRequest {
  baseUrl?: unknown;
  route?: unknown;
  params?: unknown;
}

type OnRoute = (req: object, template: string) => void;

interface RouteState {
  baseUrl: unknown;
  route: unknown;
  /** Raw prefix → template, only for prefixes that differ from their template. */
  templates: Map<string, string> | undefined;
  template: string | undefined;
  /** Undefined while Express writes the fields before the middleware has run. */
  onRoute: OnRoute | undefined;
}

// On the request under a private symbol (not in a WeakMap: see createObjectSlot in core for the GC
// cost), and a request slot, so Express's `setPrototypeOf(req, app.request)` does not make adding
// it slow (see createRequestSlot).
const states = createRequestSlot<RouteState>('sightline.express.route');

// Route templates are labels, not data: a huge regex source must not become a huge label.
const MAX_TEMPLATE = 512;

function dataProperty(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, writable: true, configurable: true, enumerable: true });
}

function newState(baseUrl: unknown, route: unknown, onRoute: OnRoute | undefined): RouteState {
  return { baseUrl, route, templates: undefined, template: undefined, onRoute };
}

/**
 * The state behind the accessors. On an app's request prototype the accessors also see writes
 * Express makes before the middleware ran (the router sets `baseUrl` first), so the state is
 * created on first write; a request that cannot hold it gets a plain data property instead.
 */
function stateFor(req: object, key: string, value: unknown): RouteState | undefined {
  const s = states.get(req);
  if (s) return s;
  const created = newState(undefined, undefined, undefined);
  if (states.set(req, created)) return created;
  dataProperty(req, key, value);
  return undefined;
}

const baseUrlAccessor: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: object) {
    return states.get(this)?.baseUrl;
  },
  set(this: RoutedRequest & object, value: unknown) {
    const s = stateFor(this, 'baseUrl', value);
    if (!s) return;
    const current = s.baseUrl;
    s.baseUrl = value;
    // Only entering a mount extends the prefix; restores while unwinding shrink or repeat it.
    if (typeof value !== 'string' || typeof current !== 'string') return;
    if (value.length <= current.length || !value.startsWith(current)) return;
    try {
      const parent = s.templates?.get(current);
      const added = value.slice(current.length);
      const segment = templateSegment(added, this.params);
      if (parent === undefined && segment === undefined) return;
      (s.templates ??= new Map()).set(value, (parent ?? current) + (segment ?? added));
    } catch {
      // A template is best effort; routing must go on untouched.
    }
  },
};

const routeAccessor: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: object) {
    return states.get(this)?.route;
  },
  set(this: object, value: unknown) {
    const s = stateFor(this, 'route', value);
    if (!s) return;
    s.route = value;
    try {
      const template = routeTemplate(templateOf(s, s.baseUrl), (value as { path?: unknown } | null)?.path);
      if (template !== undefined) {
        s.template = template;
        s.onRoute?.(this, template);
      }
    } catch {
      // Never let telemetry break routing.
    }
  },
};

/**
 * Express request prototypes (`app.request`, which carries its own `app`) that have the
 * accessors. Once there, every later request of that app (and of apps mounted under it, whose
 * prototypes inherit from it) routes its `baseUrl`/`route` writes through them without adding a
 * property per request, which after Express's `setPrototypeOf` costs ~1.8 µs each on Node 20.
 */
const patchedPrototypes = new WeakSet<object>();

function ensurePrototypeAccessors(req: object): void {
  const proto: unknown = Object.getPrototypeOf(req);
  if (proto === null || typeof proto !== 'object' || patchedPrototypes.has(proto)) return;
  patchedPrototypes.add(proto);
  // Only an Express app's request prototype: never IncomingMessage.prototype or a stranger's.
  if (!Object.hasOwn(proto, 'app')) return;
  const own = (key: string) => Object.getOwnPropertyDescriptor(proto, key);
  if (own('baseUrl') || own('route')) return;
  try {
    Object.defineProperty(proto, 'baseUrl', baseUrlAccessor);
    Object.defineProperty(proto, 'route', routeAccessor);
  } catch {
    // A frozen prototype: the per-request accessors below still work.
  }
}

function inheritsAccessors(req: object): boolean {
  if (Object.hasOwn(req, 'baseUrl') || Object.hasOwn(req, 'route')) return false;
  let proto: unknown = Object.getPrototypeOf(req);
  while (proto !== null && typeof proto === 'object') {
    const d = Object.getOwnPropertyDescriptor(proto, 'route');
    if (d) return d.set === routeAccessor.set;
    proto = Object.getPrototypeOf(proto);
  }
  return false;
}

/**
 * Starts following `req.route` / `req.baseUrl` for this request; `onRoute` is called with the
 * full template each time Express matches a route. Returns false when the request's fields
 * cannot be observed (then {@link routeFromRequest} is the fallback).
 */
export function trackRoute(req: RoutedRequest & object, onRoute: OnRoute): boolean {
  ensurePrototypeAccessors(req);
  const existing = states.get(req);
  if (existing) {
    // Created by the prototype's accessors (Express wrote `baseUrl` first), or tracked already.
    if (!existing.onRoute) {
      existing.onRoute = onRoute;
      if (existing.template !== undefined) onRoute(req, existing.template);
    }
    return true;
  }
  try {
    if (inheritsAccessors(req)) return states.set(req, newState(undefined, undefined, onRoute));
    // The app's first request (Express 5 set `baseUrl` before the middleware could add the
    // prototype's accessors), Express 4 (which sets it before re-prototyping), or no Express
    // prototype at all: accessors on the request itself.
    const state = newState(req.baseUrl, req.route, onRoute);
    if (!states.set(req, state)) return false;
    Object.defineProperty(req, 'baseUrl', baseUrlAccessor);
    Object.defineProperty(req, 'route', routeAccessor);
    return true;
  } catch {
    // A non-configurable field (a frozen or exotic request): fall back to reading at the end.
    states.clear(req);
    return false;
  }
}

/** The template recorded for this request, if a route matched. */
export function recordedRoute(req: object): string | undefined {
  return states.get(req)?.template;
}

/** Template from the request's current fields (fallback when tracking was not possible). */
export function routeFromRequest(req: RoutedRequest): string | undefined {
  const route = req.route as { path?: unknown } | undefined;
  if (!route) return undefined;
  return routeTemplate(typeof req.baseUrl === 'string' ? req.baseUrl : '', route.path);
}

function templateOf(s: RouteState, raw: unknown): string {
  if (typeof raw !== 'string') return '';
  return s.templates?.get(raw) ?? raw;
}

function pathLabel(path: unknown): string | undefined {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return String(path);
  return undefined;
}

function join(base: string, path: string): string {
  if (base === '') return path === '' ? '/' : path;
  if (path === '' || path === '/') return base;
  return path[0] === '/' ? base + path : `${base}/${path}`;
}

/** `base` + route path; arrays (one route, several paths) become a comma-separated list. */
export function routeTemplate(base: string, path: unknown): string | undefined {
  let out: string | undefined;
  if (Array.isArray(path)) {
    const parts: string[] = [];
    for (const p of path) {
      const label = pathLabel(p);
      if (label !== undefined) parts.push(join(base, label));
    }
    out = parts.length > 0 ? parts.join(',') : undefined;
  } else {
    const label = pathLabel(path);
    out = label === undefined ? undefined : join(base, label);
  }
  return out !== undefined && out.length > MAX_TEMPLATE ? out.slice(0, MAX_TEMPLATE) : out;
}

function decoded(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/**
 * Replaces the segments of a just-matched mount prefix that carry parameter values with
 * `:name`. Returns undefined when nothing was replaced (the prefix is its own template).
 * Values are matched right to left because patterns put literals before parameters far more
 * often than after them (`/orgs/:org`).
 */
export function templateSegment(added: string, params: unknown): string | undefined {
  if (params === null || typeof params !== 'object') return undefined;
  let segments: string[] | undefined;
  let replaced: boolean[] | undefined;
  for (const key in params) {
    const value = (params as Record<string, unknown>)[key];
    if (typeof value !== 'string' || value === '') continue;
    segments ??= added.split('/');
    replaced ??= new Array<boolean>(segments.length).fill(false);
    for (let i = segments.length - 1; i >= 0; i--) {
      const seg = segments[i]!;
      if (replaced[i] || seg === '') continue;
      if (seg === value || decoded(seg) === value) {
        segments[i] = `:${key}`;
        replaced[i] = true;
        break;
      }
    }
  }
  if (!segments || !replaced?.includes(true)) return undefined;
  return segments.join('/');
}
