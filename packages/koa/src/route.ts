/**
 * The route template of a Koa request, from what `@koa/router` leaves on the context:
 * `ctx._matchedRoute` is the path of the layer that ran last (nested routers and prefixes are
 * already joined into it), `ctx.matched` lists every layer whose path matched. When the last
 * layer to run was a router-level middleware (it threw or answered early), `_matchedRoute` is
 * that middleware's pattern, so the route is taken from the last matched route layer for the
 * method instead. Without `ctx.matched` (another router), `_matchedRoute` / `routerPath` are used.
 */

/** The context fields routers set, typed structurally. */
export interface RoutedContext {
  method?: string;
  _matchedRoute?: unknown;
  routerPath?: unknown;
  matched?: unknown;
}

interface LayerLike {
  path?: unknown;
  methods?: unknown;
}

// Route templates are labels, not data: a huge regex source must not become a huge label.
const MAX_TEMPLATE = 512;

function label(path: unknown): string | undefined {
  const s = typeof path === 'string' ? path : path instanceof RegExp ? String(path) : undefined;
  return s !== undefined && s.length > MAX_TEMPLATE ? s.slice(0, MAX_TEMPLATE) : s;
}

export function koaRoute(ctx: RoutedContext): string | undefined {
  const current = ctx._matchedRoute;
  const matched = ctx.matched;
  if (!Array.isArray(matched)) return label(current) ?? label(ctx.routerPath);
  let forMethod: unknown;
  for (let i = matched.length - 1; i >= 0; i--) {
    const layer = matched[i] as LayerLike | null;
    const methods = layer?.methods;
    if (!Array.isArray(methods) || methods.length === 0) continue;
    if (current !== undefined && layer!.path === current) return label(current);
    if (forMethod === undefined && methods.includes(ctx.method)) forMethod = layer!.path;
  }
  return label(forMethod);
}
