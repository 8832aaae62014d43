import { HttpConnection } from './http-connection.js';
import type { HttpExchange } from './http-exchange.js';
import type { HttpTarget } from './http-target.js';

/** What a pool needs from the client that owns it. */
export interface HttpPoolOwner {
  readonly maxSockets: number;
  readonly maxResponseBytes: number;
  readonly rejectUnauthorized: boolean | undefined;
  readonly idleMs: number;
  readonly staleAfterMs: number;
  /** Makes sure the idle sweep runs by `at` (ms epoch). */
  armSweep(at: number, now: number): void;
  /** The pool has no socket and no waiting request left: forget it. */
  drop(pool: HttpPool): void;
}

/**
 * The keep-alive sockets of one origin (protocol, host, port): at most `maxSockets`, idle ones
 * reused last-in first-out (the warmest socket is the least likely to have been closed by the
 * server), requests beyond the cap waiting first-in first-out. An idle socket is closed after
 * `idleMs`, or earlier when the server said it keeps idle connections for less
 * (`Keep-Alive: timeout=N`): closing before the server does avoids the stale-socket race.
 */
export class HttpPool {
  /** Idle sockets, the most recently used last. */
  readonly idle: HttpConnection[] = [];
  private readonly waiting: HttpExchange[] = [];
  /** Sockets opened and not yet closed (busy, idle or connecting). */
  private open = 0;
  /** Set once the owner forgot this pool; requests then go to the owner's new pool. */
  dropped = false;
  /** The last TLS session, offered when the next socket connects (as node:https agents do). */
  session: Buffer | undefined = undefined;

  constructor(
    private readonly owner: HttpPoolOwner,
    /** Any target of this origin: all that is read from it is where to connect. */
    readonly target: HttpTarget,
  ) {}

  get maxResponseBytes(): number {
    return this.owner.maxResponseBytes;
  }

  get rejectUnauthorized(): boolean | undefined {
    return this.owner.rejectUnauthorized;
  }

  get staleAfterMs(): number {
    return this.owner.staleAfterMs;
  }

  dispatch(ex: HttpExchange): void {
    const idle = this.idle;
    while (idle.length > 0) {
      const conn = idle.pop()!;
      if (!conn.dead) {
        conn.start(ex);
        return;
      }
    }
    if (this.open < this.owner.maxSockets) this.connect(ex);
    else this.waiting.push(ex);
  }

  /** A request failed by a stale idle socket: once more, on a new one (before any waiter). */
  resend(ex: HttpExchange): void {
    ex.conn = undefined;
    if (this.open < this.owner.maxSockets) this.connect(ex);
    else this.waiting.unshift(ex);
  }

  /** A socket finished its response and may carry another request. */
  release(conn: HttpConnection): void {
    const next = this.nextWaiting();
    if (next !== undefined) {
      conn.start(next);
      return;
    }
    const ttl = idleTtl(this.owner.idleMs, conn.keepAliveMs);
    if (ttl <= 0) {
      conn.destroy(); // "timeout=0": the server keeps nothing idle
      return;
    }
    const now = Date.now();
    conn.idleSince = now;
    conn.expiresAt = now + ttl;
    this.idle.push(conn);
    this.owner.armSweep(conn.expiresAt, now);
  }

  /** A socket closed, for whatever reason. */
  closed(conn: HttpConnection): void {
    this.open--;
    const i = this.idle.indexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
  }

  /** Opens sockets for waiting requests while under the cap. */
  serveWaiting(): void {
    while (this.open < this.owner.maxSockets) {
      const next = this.nextWaiting();
      if (next === undefined) break;
      this.connect(next);
    }
    if (this.open === 0 && this.waiting.length === 0) this.owner.drop(this);
  }

  /**
   * Closes the idle sockets whose time is up. Returns when the next one will be due (ms epoch),
   * or Infinity when none is idle.
   */
  sweep(now: number): number {
    const idle = this.idle;
    let next = Number.POSITIVE_INFINITY;
    for (let i = idle.length - 1; i >= 0; i--) {
      const conn = idle[i]!;
      if (conn.expiresAt <= now) {
        idle.splice(i, 1);
        conn.destroy();
      } else if (conn.expiresAt < next) {
        next = conn.expiresAt;
      }
    }
    return next;
  }

  private nextWaiting(): HttpExchange | undefined {
    const waiting = this.waiting;
    while (waiting.length > 0) {
      const ex = waiting.shift()!;
      if (!ex.settled) return ex; // timed out while waiting: skipped
    }
    return undefined;
  }

  private connect(ex: HttpExchange): void {
    let conn: HttpConnection;
    try {
      conn = new HttpConnection(this);
    } catch (err) {
      // e.g. a port net refuses outright; never thrown into a socket callback
      ex.reject(err instanceof Error ? err : new Error('Sightline transport: cannot connect'));
      if (this.open === 0 && this.waiting.length === 0) this.owner.drop(this);
      return;
    }
    this.open++;
    conn.start(ex);
  }
}

/**
 * How long an idle socket is kept: `idleMs`, or less when the server announced a shorter
 * keep-alive: a second before it, like undici (half of it when it is under 2 s).
 */
function idleTtl(idleMs: number, serverMs: number): number {
  if (serverMs < 0) return idleMs;
  return Math.min(idleMs, serverMs >= 2000 ? serverMs - 1000 : serverMs / 2);
}
