import net from 'node:net';
import tls from 'node:tls';
import type { HttpExchange } from './http-exchange.js';
import type { HttpPool } from './http-pool.js';
import { ResponseParser } from './http-response-parser.js';
import type { TransportResponse } from './types.js';

/**
 * Every connection reads into this one buffer (`onread`): no Buffer and no stream machinery per
 * read. That is safe because the parser consumes each read synchronously and copies whatever
 * it keeps. Allocated on first use, so an SDK that never sends allocates nothing.
 */
let readBuffer: Buffer | undefined;

/** Errors that mean a reused keep-alive socket was already closed by the server. */
const STALE_CODES = new Set(['ECONNRESET', 'EPIPE']);

/**
 * One keep-alive socket, carrying one request at a time (no pipelining: POSTs are not
 * idempotent). Its listeners are attached once per socket, not per request.
 */
export class HttpConnection {
  readonly socket: net.Socket;
  exchange: HttpExchange | undefined = undefined;
  /** Closed, closing, or not reusable any more. */
  dead = false;
  /** When it became idle (ms epoch); 0 while it is busy or new. */
  idleSince = 0;
  /** When the pool closes it if it is still idle (ms epoch). */
  expiresAt = 0;
  /** The server's `Keep-Alive: timeout` from the last response, in ms, or -1. */
  keepAliveMs = -1;

  private readonly parser = new ResponseParser();
  /** The request went out on a socket that sat idle long enough to have been closed under it. */
  private mayBeStale = false;
  private gotBytes = false;
  private error: (Error & { code?: string }) | undefined = undefined;

  constructor(private readonly pool: HttpPool) {
    const t = pool.target;
    readBuffer ??= Buffer.allocUnsafe(64 * 1024);
    const onread: net.OnReadOpts = {
      buffer: readBuffer,
      callback: (n: number, buf: Uint8Array) => this.onRead(buf as Buffer, n),
    };
    if (t.secure) {
      // tls.connect takes `onread` too (its types lag behind)
      const options: tls.ConnectionOptions & { onread: net.OnReadOpts } = {
        host: t.host,
        port: t.port,
        onread,
      };
      if (t.servername !== undefined) options.servername = t.servername;
      if (pool.rejectUnauthorized !== undefined) options.rejectUnauthorized = pool.rejectUnauthorized;
      if (pool.session !== undefined) options.session = pool.session;
      this.socket = tls.connect(options);
      this.socket.on('session', (session: Buffer) => {
        pool.session = session;
      });
    } else {
      this.socket = net.connect({ host: t.host, port: t.port, onread });
    }
    // A dead or slow backend must never keep the host process alive.
    this.socket.unref();
    this.socket.setNoDelay(true);
    this.socket.on('error', (err: Error) => {
      this.error ??= err;
    });
    this.socket.on('end', () => this.onEnd());
    this.socket.on('close', () => this.onClose());
  }

  /** Sends `ex` on this socket. */
  start(ex: HttpExchange): void {
    this.exchange = ex;
    ex.conn = this;
    this.mayBeStale = this.idleSince > 0 && Date.now() - this.idleSince >= this.pool.staleAfterMs;
    this.idleSince = 0;
    this.gotBytes = false;
    this.parser.reset(this.pool.maxResponseBytes);
    const s = this.socket;
    const body = ex.body;
    try {
      if (typeof body === 'string' && ex.ascii) {
        s.write(ex.head + body); // one string, one write, encoded straight into the socket
      } else if (body.length === 0) {
        s.write(ex.head, 'latin1');
      } else {
        s.cork();
        s.write(ex.head, 'latin1');
        s.write(body);
        s.uncork();
      }
    } catch (err) {
      // Never leave a socket busy with a request that did not go out.
      this.abort();
      ex.reject(err instanceof Error ? err : new Error('Sightline transport: write failed'));
    }
  }

  /** Drops the socket (timeout, or an answer no request asked for). */
  abort(): void {
    this.exchange = undefined;
    this.destroy();
  }

  destroy(): void {
    this.dead = true;
    this.socket.destroy();
  }

  /** Always true: keep reading (a response is consumed as it arrives). */
  private onRead(buf: Buffer, n: number): boolean {
    const ex = this.exchange;
    if (ex === undefined) {
      this.destroy(); // bytes on an idle socket: nothing can be trusted on it any more
      return true;
    }
    this.gotBytes = true;
    try {
      const parser = this.parser;
      const at = parser.feed(buf, 0, n);
      if (at === -1) {
        this.abort();
        ex.reject(new Error(`Sightline transport: ${parser.error}`));
      } else if (parser.done) {
        // Bytes past the response answer nothing we sent: the socket cannot be reused.
        this.finish(ex, parser.keepAlive && at === n);
      }
    } catch (err) {
      // A bug here must fail the request, never escape into the host's event loop.
      this.abort();
      ex.reject(err instanceof Error ? err : new Error('Sightline transport: response handling failed'));
    }
    return true;
  }

  private finish(ex: HttpExchange, reusable: boolean): void {
    const parser = this.parser;
    const res: TransportResponse = { status: parser.status, headers: parser.headers };
    if (parser.body !== undefined) res.body = Buffer.concat(parser.body).toString('utf8');
    this.exchange = undefined;
    if (reusable) {
      this.keepAliveMs = parser.keepAliveMs;
      this.pool.release(this);
    } else this.destroy();
    ex.resolve(res);
  }

  private onEnd(): void {
    const ex = this.exchange;
    if (ex !== undefined && this.parser.untilClose) {
      this.parser.finishAtClose();
      this.finish(ex, false);
    }
    // The server is done with this socket; it closes next.
    this.dead = true;
  }

  private onClose(): void {
    this.dead = true;
    const ex = this.exchange;
    this.exchange = undefined;
    const err = this.error;
    if (err !== undefined) this.pool.session = undefined; // never resume a session that failed
    this.pool.closed(this);
    if (ex !== undefined && !ex.settled) {
      // The stale keep-alive race: the server closed the idle socket (its keep-alive timer) as
      // the request went out. Nothing was answered, so it is sent once more on a new socket;
      // never once a byte came back, and never on a socket idle too briefly for a keep-alive
      // timer: a reset there answers this very request, and retrying it is the transport's call
      // (with its retry budget), not a silent extra attempt here.
      if (
        this.mayBeStale &&
        !this.gotBytes &&
        !ex.retried &&
        (err === undefined || STALE_CODES.has(err.code!))
      ) {
        ex.retried = true;
        this.pool.resend(ex);
      } else {
        ex.reject(err ?? closedError(this.gotBytes));
      }
    }
    this.pool.serveWaiting();
  }
}

function closedError(gotBytes: boolean): Error {
  const message = gotBytes
    ? 'Sightline transport: connection closed before the response ended'
    : 'Sightline transport: connection closed before any response byte';
  return Object.assign(new Error(message), { code: 'ECONNRESET' });
}
