import type { ServerResponse } from 'node:http';
import { BadQueryError, type QueryFilter, parseFilter } from '../store/filter.js';
import type { Store } from '../store/store.js';
import { sendJson } from './respond.js';

const TRACE = /^\/api\/traces\/([^/]{1,200})$/;
const ERROR = /^\/api\/errors\/(\d{1,15})$/;

/**
 * The read-only JSON query API the UI uses (and tests can use). Every list takes the filters in
 * `parseFilter` (`limit`, `before`, `since`, `until`, `traceId`, `requestId`, `route`, `level`,
 * `service`, `q`, `group`, `direction`, `status`).
 *
 * GET /api/stats · /api/services · /api/traces · /api/traces/:traceId · /api/errors ·
 * /api/errors/groups · /api/errors/:id · /api/logs · /api/requests · /api/routes ·
 * /api/sessions · /api/heartbeats · /api/races (the race report over the stored Raceway events) ·
 * /api/raceway/events (those events, `{ events }`, for `sightline-races --url`)
 * (and /api/live, the server-sent event feed).
 */
export function handleApi(store: Store, res: ServerResponse, pathname: string, query: URLSearchParams): void {
  try {
    const found = answer(store, pathname, parseFilter(query));
    if (found === undefined) sendJson(res, 404, { error: 'not found' });
    else sendJson(res, 200, found);
  } catch (err) {
    if (err instanceof BadQueryError) sendJson(res, 400, { error: err.message });
    else if (err instanceof URIError) sendJson(res, 400, { error: 'path: malformed percent-encoding' });
    else throw err;
  }
}

/** The JSON for a path, or undefined for an unknown path or a missing item. */
function answer(store: Store, pathname: string, f: QueryFilter): unknown {
  switch (pathname) {
    case '/api/stats':
      return store.counts();
    case '/api/services':
      return store.services();
    case '/api/traces':
      return store.traces(f);
    case '/api/errors':
      return store.errors(f);
    case '/api/errors/groups':
      return store.errorGroups(f);
    case '/api/logs':
      return store.logs(f);
    case '/api/requests':
      return store.requests(f);
    case '/api/routes':
      return store.routes(f);
    case '/api/sessions':
      return store.sessions(f);
    case '/api/heartbeats':
      return store.heartbeats(f);
    case '/api/races':
      return store.races();
    case '/api/raceway/events':
      return { events: store.racewayEvents() };
  }
  const trace = TRACE.exec(pathname);
  if (trace) return store.trace(decodeURIComponent(trace[1]!));
  const error = ERROR.exec(pathname);
  if (error) return store.error(Number(error[1]));
  return undefined;
}
