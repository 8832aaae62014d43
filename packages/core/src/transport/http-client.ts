import { HttpExchange } from './http-exchange.js';
import { HttpPool, type HttpPoolOwner } from './http-pool.js';
import { HttpTarget } from './http-target.js';
import type { TransportRequest, TransportResponse } from './types.js';

/** Settings of an {@link HttpClient}; `createHttpExecutor` validates the public ones. */
export interface HttpClientSettings {
  timeoutMs: number;
  maxResponseBytes: number;
  rejectUnauthorized: boolean | undefined;
  /** Sockets per origin. */
  maxSockets: number;
  /** An idle socket is closed after this long (or sooner, see `HttpPool`). */
  idleMs: number;
  /**
   * A request failed (before any response byte) on a socket reused after at least this long
   * idle is re-sent once: the server's keep-alive timer may have closed it as the request left.
   */
  staleAfterMs: number;
}

/** Bound on cached URLs, in case URLs carry ids; cleared when full. */
const MAX_TARGETS = 64;

/**
 * A minimal HTTP/1.1 client on `node:net` / `node:tls`: the executor's engine. It exists because
 * node:http costs ~45 µs of CPU per POST, and AllStak sends one POST per log record.
 */
export class HttpClient implements HttpPoolOwner {
  readonly maxSockets: number;
  readonly maxResponseBytes: number;
  readonly rejectUnauthorized: boolean | undefined;
  readonly idleMs: number;
  readonly staleAfterMs: number;
  private readonly timeoutMs: number;
  private readonly targets = new Map<string, HttpTarget>();
  private readonly pools = new Map<string, HttpPool>();
  private sweepTimer: NodeJS.Timeout | undefined = undefined;
  private sweepAt = 0;
  private readonly sweepBound = () => this.sweep();

  constructor(settings: HttpClientSettings) {
    this.timeoutMs = settings.timeoutMs;
    this.maxResponseBytes = settings.maxResponseBytes;
    this.rejectUnauthorized = settings.rejectUnauthorized;
    this.maxSockets = settings.maxSockets;
    this.idleMs = settings.idleMs;
    this.staleAfterMs = settings.staleAfterMs;
  }

  request(req: TransportRequest): Promise<TransportResponse> {
    try {
      return this.send(req);
    } catch (err) {
      // e.g. a body that is neither a string nor bytes: a rejection, never a throw
      return Promise.reject(err instanceof Error ? err : new Error('Sightline transport: request failed'));
    }
  }

  private send(req: TransportRequest): Promise<TransportResponse> {
    let target = this.targets.get(req.url);
    if (target === undefined) {
      const parsed = HttpTarget.parse(req.url);
      if (typeof parsed === 'string') return Promise.reject(new Error(parsed));
      if (this.targets.size >= MAX_TARGETS) this.targets.clear();
      this.targets.set(req.url, parsed);
      target = parsed;
    }
    const body = req.body;
    let length: number;
    if (typeof body === 'string') length = Buffer.byteLength(body, 'utf8');
    else if (body instanceof Uint8Array) length = body.byteLength;
    else return Promise.reject(new TypeError('Sightline transport: the body must be a string or bytes'));
    const head = target.head(req.method, req.headers, length);
    if (typeof head !== 'string') return Promise.reject(head);
    let pool = target.pool;
    if (pool === undefined || pool.dropped) pool = target.pool = this.poolFor(target);
    const ascii = target.ascii;
    const timeoutMs = this.timeoutMs;
    const p = pool;
    return new Promise<TransportResponse>((resolve, reject) => {
      const ex = new HttpExchange(head, ascii, body, timeoutMs, resolve, reject);
      try {
        p.dispatch(ex);
      } catch (err) {
        ex.reject(err instanceof Error ? err : new Error('Sightline transport: request failed'));
      }
    });
  }

  armSweep(at: number, now: number): void {
    if (this.sweepTimer !== undefined) {
      if (this.sweepAt <= at) return;
      clearTimeout(this.sweepTimer);
    }
    this.sweepAt = at;
    this.sweepTimer = setTimeout(this.sweepBound, Math.max(1, at - now));
    this.sweepTimer.unref();
  }

  drop(pool: HttpPool): void {
    if (this.pools.get(pool.target.origin) === pool) this.pools.delete(pool.target.origin);
    pool.dropped = true;
  }

  private poolFor(target: HttpTarget): HttpPool {
    let pool = this.pools.get(target.origin);
    if (pool === undefined) {
      pool = new HttpPool(this, target);
      this.pools.set(target.origin, pool);
    }
    return pool;
  }

  private sweep(): void {
    this.sweepTimer = undefined;
    const now = Date.now();
    let next = Number.POSITIVE_INFINITY;
    for (const pool of this.pools.values()) next = Math.min(next, pool.sweep(now));
    if (next !== Number.POSITIVE_INFINITY) this.armSweep(next, now);
  }
}
