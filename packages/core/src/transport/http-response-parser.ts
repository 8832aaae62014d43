import { ResponseHead } from './http-response-head.js';

/**
 * An incremental HTTP/1.1 response parser for the executor's own sockets: framing (length,
 * chunked, until close) over bytes where they lie, in the socket's shared read buffer. It copies
 * only what it must keep (a head split across reads, a body the caller asked for) and looks at
 * every byte a constant number of times, with no regexes: linear on any input.
 */

const HEAD = 0;
const BODY = 1;
const CHUNK_SIZE = 2;
const CHUNK_EXT = 3;
const CHUNK_DATA = 4;
const CHUNK_END = 5;
const TRAILERS = 6;
const UNTIL_CLOSE = 7;
const DONE = 8;

/** A response head (1xx heads each counted alone) may not exceed this; nor may trailers. */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_EXT_BYTES = 4096;
const MAX_CHUNK_SIZE_DIGITS = 12; // 2^48: far beyond any ingest answer, far below float trouble
const NL = 0x0a;
const CR = 0x0d;

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) HEX[0x41 + c] = HEX[0x61 + c] = 10 + c;

export class ResponseParser {
  status = 0;
  headers: Record<string, string | undefined> = {};
  /** False once the response says the connection cannot carry another request. */
  keepAlive = true;
  /** How long the server keeps the idle connection (its `Keep-Alive: timeout`), or -1. */
  keepAliveMs = -1;
  /** Why the response was rejected; set when `feed` returns -1. */
  error = '';
  /** The body, when kept (see `reset`) and within its bound. */
  body: Buffer[] | undefined;

  private readonly head = new ResponseHead();
  private state = HEAD;
  private maxBody = 0;
  private bodySize = 0;
  private remaining = 0;
  private digits = 0;
  private trailerBytes = 0;
  private lineNonEmpty = false;
  /** A head split across reads, copied out of the shared read buffer. */
  private partial: Buffer | undefined;
  private partialLen = 0;

  /** Prepares for the next response; `maxBody` > 0 keeps a body of up to that many bytes. */
  reset(maxBody: number): void {
    this.status = 0;
    this.keepAlive = true;
    this.keepAliveMs = -1;
    this.error = '';
    this.body = maxBody > 0 ? [] : undefined;
    this.maxBody = maxBody;
    this.bodySize = 0;
    this.startHead();
  }

  get done(): boolean {
    return this.state === DONE;
  }

  /** True while the body runs until the server closes the connection. */
  get untilClose(): boolean {
    return this.state === UNTIL_CLOSE;
  }

  /** Ends a read-until-close body at EOF. */
  finishAtClose(): void {
    this.keepAlive = false;
    this.state = DONE;
  }

  /**
   * Consumes `buf[pos, end)`. Returns the offset just past the response once it is complete
   * (bytes after it belong to no request), `end` when it needs more, or -1 (see `error`).
   */
  feed(buf: Buffer, pos: number, end: number): number {
    while (pos < end) {
      switch (this.state) {
        case HEAD:
          pos = this.feedHead(buf, pos, end);
          break;
        case BODY: {
          const n = Math.min(this.remaining, end - pos);
          this.keep(buf, pos, pos + n);
          pos += n;
          if ((this.remaining -= n) === 0) this.state = DONE;
          break;
        }
        case CHUNK_SIZE:
        case CHUNK_EXT:
          pos = this.feedChunkSize(buf, pos, end);
          break;
        case CHUNK_DATA: {
          const n = Math.min(this.remaining, end - pos);
          this.keep(buf, pos, pos + n);
          pos += n;
          if ((this.remaining -= n) === 0) {
            this.state = CHUNK_END;
            this.digits = 0;
          }
          break;
        }
        case CHUNK_END: {
          // The CRLF after a chunk's data (a bare LF is tolerated).
          const c = buf[pos++]!;
          if (c === NL) this.startChunkSize();
          else if (c !== CR || this.digits++ > 0) return this.fail('malformed chunk terminator');
          break;
        }
        case TRAILERS:
          pos = this.feedTrailers(buf, pos, end);
          break;
        case UNTIL_CLOSE:
          this.keep(buf, pos, end);
          pos = end;
          break;
        default:
          return pos;
      }
      if (pos < 0) return -1;
      if (this.state === DONE) return pos;
    }
    return this.state === DONE ? pos : end;
  }

  private fail(message: string): number {
    this.error = message;
    this.state = DONE;
    this.keepAlive = false;
    return -1;
  }

  private startHead(): void {
    this.state = HEAD;
    this.partialLen = 0;
  }

  private startChunkSize(): void {
    this.state = CHUNK_SIZE;
    this.remaining = 0;
    this.digits = 0;
  }

  private keep(buf: Buffer, start: number, end: number): void {
    if (this.body === undefined || start === end) return;
    this.bodySize += end - start;
    // Over the bound: dropped, and the rest drained unread.
    if (this.bodySize > this.maxBody) this.body = undefined;
    else {
      const copy = Buffer.allocUnsafe(end - start); // the read buffer is reused by the next read
      buf.copy(copy, 0, start, end);
      this.body.push(copy);
    }
  }

  private feedHead(buf: Buffer, pos: number, end: number): number {
    const head = this.head;
    if (this.partialLen === 0) {
      // Usually the whole head came in this read: parsed where it lies.
      const at = head.parse(buf, pos, end);
      if (at > 0) return this.endOfHead(at);
      if (at < 0) return this.fail(head.error);
      this.lineNonEmpty = false;
    }
    // Split across reads (or very long): gather it up to its blank line, then parse it whole.
    let i = pos;
    for (; i < end; i++) {
      const c = buf[i]!;
      if (c === NL) {
        if (!this.lineNonEmpty) break;
        this.lineNonEmpty = false;
      } else if (c !== CR) {
        this.lineNonEmpty = true;
      }
    }
    const stop = i < end ? i + 1 : end;
    if (this.partialLen + (stop - pos) > MAX_HEAD_BYTES) {
      return this.fail(`response head larger than ${MAX_HEAD_BYTES} bytes`);
    }
    this.appendPartial(buf, pos, stop);
    if (i === end) return end;
    const length = this.partialLen;
    this.partialLen = 0;
    const at = head.parse(this.partial!, 0, length);
    if (at !== length) return this.fail(at < 0 ? head.error : 'malformed response head');
    return this.endOfHead(stop);
  }

  private appendPartial(buf: Buffer, start: number, end: number): void {
    const need = this.partialLen + (end - start);
    if (this.partial === undefined || this.partial.length < need) {
      // Doubling keeps a head trickled in byte by byte linear; MAX_HEAD_BYTES bounds it.
      const grown = Buffer.allocUnsafe(Math.max(256, need, (this.partial?.length ?? 0) * 2));
      if (this.partial !== undefined) this.partial.copy(grown, 0, 0, this.partialLen);
      this.partial = grown;
    }
    buf.copy(this.partial, this.partialLen, start, end);
    this.partialLen = need;
  }

  /** Sets up the body's framing from the head that ended at `pos`. */
  private endOfHead(pos: number): number {
    const head = this.head;
    const status = head.status;
    if (status < 200) {
      // 100 Continue and friends: the real response follows. A 101 was never asked for.
      if (status === 101) return this.fail('unexpected 101 response');
      this.startHead();
      return pos;
    }
    if (head.contentLength === -2) return this.fail('malformed response content-length');
    this.status = status;
    this.headers = head.headers;
    this.keepAlive = !head.connectionClose && (!head.http10 || head.connectionKeepAlive);
    this.keepAliveMs = head.keepAliveTimeout === -1 ? -1 : head.keepAliveTimeout * 1000;
    if (status === 204 || status === 304) this.state = DONE;
    else if (head.transferEncoding) {
      // With both, Transfer-Encoding wins and the connection must not be reused (RFC 9112 6.3).
      if (head.contentLength !== -1) this.keepAlive = false;
      if (head.chunked) this.startChunkSize();
      else {
        this.keepAlive = false;
        this.state = UNTIL_CLOSE;
      }
    } else if (head.contentLength > 0) {
      this.remaining = head.contentLength;
      this.state = BODY;
    } else if (head.contentLength === 0) this.state = DONE;
    else {
      this.keepAlive = false;
      this.state = UNTIL_CLOSE;
    }
    return pos;
  }

  /** "1a3f[;ext...]CRLF", byte by byte: size lines are short, and may be split anywhere. */
  private feedChunkSize(buf: Buffer, pos: number, end: number): number {
    while (pos < end) {
      const c = buf[pos++]!;
      if (this.state === CHUNK_EXT) {
        if (c === NL) return this.endChunkSize(pos);
        if (++this.digits > MAX_CHUNK_EXT_BYTES) return this.fail('chunk extension too long');
        continue;
      }
      const d = HEX[c]!;
      if (d >= 0) {
        if (++this.digits > MAX_CHUNK_SIZE_DIGITS) return this.fail('malformed chunk size');
        this.remaining = this.remaining * 16 + d;
      } else if (this.digits === 0) {
        return this.fail('malformed chunk size');
      } else if (c === NL) {
        return this.endChunkSize(pos);
      } else if (c === 0x3b || c === 0x20 || c === 0x09 || c === CR) {
        // Extensions (and the CR before LF) are skipped until the end of the line.
        this.state = CHUNK_EXT;
        this.digits = 0;
      } else {
        return this.fail('malformed chunk size');
      }
    }
    return pos;
  }

  private endChunkSize(pos: number): number {
    if (this.remaining === 0) {
      this.state = TRAILERS;
      this.trailerBytes = 0;
      this.lineNonEmpty = false;
    } else {
      this.state = CHUNK_DATA;
    }
    return pos;
  }

  /** Trailer lines are skipped (bounded like a head); an empty line ends the response. */
  private feedTrailers(buf: Buffer, pos: number, end: number): number {
    while (pos < end) {
      const c = buf[pos++]!;
      if (++this.trailerBytes > MAX_HEAD_BYTES) return this.fail('response trailers too large');
      if (c === NL) {
        if (!this.lineNonEmpty) {
          this.state = DONE;
          return pos;
        }
        this.lineNonEmpty = false;
      } else if (c !== CR) {
        this.lineNonEmpty = true;
      }
    }
    return pos;
  }
}
