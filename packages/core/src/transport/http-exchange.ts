import type { HttpConnection } from './http-connection.js';
import type { TransportResponse } from './types.js';

/**
 * One request from start to settlement: what to write (kept for a retry on a fresh socket),
 * where it is (queued, or on a connection), and its deadline. A class rather than closures, so
 * a request costs one object and one timer.
 */
export class HttpExchange {
  conn: HttpConnection | undefined = undefined;
  settled = false;
  /** Set once the request was re-sent after a stale keep-alive socket failed it. */
  retried = false;
  readonly timer: NodeJS.Timeout;

  constructor(
    readonly head: string,
    /** The head is ASCII, so a string body can go out in the same utf8 string. */
    readonly ascii: boolean,
    readonly body: string | Uint8Array,
    readonly timeoutMs: number,
    private readonly onResolve: (res: TransportResponse) => void,
    private readonly onReject: (err: Error) => void,
  ) {
    this.timer = setTimeout(expire, timeoutMs, this);
    this.timer.unref();
  }

  resolve(res: TransportResponse): void {
    if (this.settled) return;
    this.settled = true;
    this.conn = undefined;
    clearTimeout(this.timer);
    this.onResolve(res);
  }

  reject(err: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.conn = undefined;
    clearTimeout(this.timer);
    this.onReject(err);
  }
}

/** The deadline covers waiting for a socket, connecting, writing and the whole response. */
function expire(ex: HttpExchange): void {
  if (ex.settled) return;
  const conn = ex.conn;
  ex.reject(new Error(`Sightline transport: request timed out after ${ex.timeoutMs} ms`));
  // A queued request is skipped when its turn comes; one on a socket takes the socket down with it.
  conn?.abort();
}
