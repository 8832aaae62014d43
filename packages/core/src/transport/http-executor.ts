import { HttpClient } from './http-client.js';
import type { HttpExecutorOptions, TransportExecutor } from './types.js';

const DEFAULT_TIMEOUT_MS = 10_000;
/** Sockets per origin: a burst over many categories cannot open dozens of sockets. */
const MAX_SOCKETS = 16;
/** Below the keep-alive timeouts of common servers and load balancers (often 60 s or more). */
const IDLE_MS = 30_000;
/** No server's keep-alive timer closes a socket idle for less (Node's default is 5 s). */
const STALE_AFTER_MS = 1000;

/**
 * The default executor: a lean HTTP/1.1 client on `node:net` / `node:tls` (by URL protocol)
 * with keep-alive sockets, at most 16 per origin, one request at a time on each (no pipelining),
 * idle ones closed after 30 s or a second before the server's `Keep-Alive: timeout`. A request
 * that fails before any response byte on a socket reused after >= 1 s idle (the stale keep-alive
 * race) is re-sent once on a new socket. Every socket is unref'd, so a slow or dead backend never
 * keeps the host process alive; the response body is drained and ignored (unless
 * `maxResponseBytes` asks to keep a short one). Header names and values that cannot be sent
 * (CR, LF, NUL...) reject the request before anything is written. Errors never carry request
 * headers (the API key travels in them); network errors keep Node's `code` (`ECONNREFUSED`,
 * `ENOTFOUND`, ...). It bypasses node:http, so outbound-HTTP instrumentation never sees the SDK's
 * own requests. About 1/4 of node:http's CPU per POST (bench/profile/executor-cost.mjs).
 *
 * @example
 * const transport = createTransport({ categories, encode, executor: createHttpExecutor({ timeoutMs: 5000 }) });
 */
export function createHttpExecutor(options: HttpExecutorOptions = {}): TransportExecutor {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw new TypeError('Invalid `timeoutMs`: must be a positive number of milliseconds');
  }
  if (options.rejectUnauthorized !== undefined && typeof options.rejectUnauthorized !== 'boolean') {
    throw new TypeError('Invalid `rejectUnauthorized`: must be a boolean');
  }
  const maxResponseBytes = options.maxResponseBytes ?? 0;
  if (
    !(typeof maxResponseBytes === 'number' && Number.isInteger(maxResponseBytes) && maxResponseBytes >= 0)
  ) {
    throw new TypeError('Invalid `maxResponseBytes`: must be a non-negative integer');
  }
  // Sockets are only opened by the first request, so an SDK that never sends opens none.
  const client = new HttpClient({
    timeoutMs,
    maxResponseBytes,
    rejectUnauthorized: options.rejectUnauthorized,
    maxSockets: MAX_SOCKETS,
    idleMs: IDLE_MS,
    staleAfterMs: STALE_AFTER_MS,
  });
  return (req) => client.request(req);
}
