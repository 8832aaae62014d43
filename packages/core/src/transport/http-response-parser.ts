/**
 * An incremental HTTP/1.1 response parser for the executor's own sockets. It reads bytes where
 * they lie (the socket's shared read buffer), copies only what it must keep (a head line split
 * across reads, a body the caller asked for), and walks every byte at most a constant number of
 * times: no regexes, so adversarial input costs linear time at worst.
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

/** A response head (all of its lines, 1xx heads each counted alone) may not exceed this. */
export const MAX_HEAD_BYTES = 64 * 1024;
const MAX_CHUNK_EXT_BYTES = 4096;
const MAX_CHUNK_SIZE_DIGITS = 12; // 2^48: far beyond any ingest answer, far below float trouble
const NL = 0x0a;
const CR = 0x0d;

/** tchar (RFC 9110 5.6.2): the bytes a header name may consist of. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

/** Header value bytes: HTAB, visible ASCII, SP and obs-text; no other control byte (CR, NUL...). */
const VALUE = new Uint8Array(256);
VALUE[0x09] = 1;
for (let c = 0x20; c <= 0xff; c++) VALUE[c] = c === 0x7f ? 0 : 1;

const HEX = new Int8Array(256).fill(-1);
for (let c = 0; c < 10; c++) HEX[0x30 + c] = c;
for (let c = 0; c < 6; c++) HEX[0x41 + c] = HEX[0x61 + c] = 10 + c;

export class ResponseParser {
  status = 0;
  headers: Record<string, string | undefined> = {};
  /** False once the response says the connection cannot carry another request. */
  keepAlive = true;
  /** Why the response was rejected; set when `feed` returns -1. */
  error = '';
  /** The body, when kept (see `reset`) and within its bound. */
  body: Buffer[] | undefined;

  private state = HEAD;
  private maxBody = 0;
  private bodySize = 0;
  private remaining = 0;
  private digits = 0;
  private headBytes = 0;
  private finalHead = false;
  private http10 = false;
  private sawKeepAlive = false;
  private contentLength = -1;
  private chunked = false;
  private transferEncoding = false;
  private lineNonEmpty = false;
  /** A head line split across reads, copied out of the shared read buffer. */
  private partial: Buffer | undefined;
  private partialLen = 0;

  /** Prepares for the next response; `maxBody` > 0 keeps a body of up to that many bytes. */
  reset(maxBody: number): void {
    this.status = 0;
    this.headers = {};
    this.keepAlive = true;
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
    this.headBytes = 0;
    this.finalHead = false;
    this.http10 = false;
    this.sawKeepAlive = false;
    this.contentLength = -1;
    this.chunked = false;
    this.transferEncoding = false;
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
    while (pos < end && this.state === HEAD) {
      let nl = buf.indexOf(NL, pos);
      if (nl >= end) nl = -1;
      const lineEnd = nl === -1 ? end : nl;
      if ((this.headBytes += lineEnd + 1 - pos) > MAX_HEAD_BYTES) {
        return this.fail(`response head larger than ${MAX_HEAD_BYTES} bytes`);
      }
      if (nl === -1) {
        this.appendPartial(buf, pos, end);
        return end;
      }
      let ok: boolean;
      if (this.partialLen > 0) {
        this.appendPartial(buf, pos, nl);
        ok = this.line(this.partial!, 0, this.partialLen);
        this.partialLen = 0;
      } else {
        ok = this.line(buf, pos, nl);
      }
      if (!ok) return -1;
      pos = nl + 1;
    }
    return pos;
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

  /** One head line, without its LF. False (with `error` set) when it is malformed. */
  private line(buf: Buffer, start: number, end: number): boolean {
    if (end > start && buf[end - 1] === CR) end--;
    if (this.status === 0) return this.statusLine(buf, start, end);
    if (end === start) return this.endOfHead();
    return this.headerLine(buf, start, end);
  }

  private statusLine(buf: Buffer, start: number, end: number): boolean {
    // "HTTP/1.x SSS[ reason]"
    if (
      end - start < 12 ||
      buf[start] !== 0x48 || // H
      buf[start + 1] !== 0x54 || // T
      buf[start + 2] !== 0x54 || // T
      buf[start + 3] !== 0x50 || // P
      buf[start + 4] !== 0x2f || // /
      buf[start + 5] !== 0x31 || // 1
      buf[start + 6] !== 0x2e || // .
      (buf[start + 7] !== 0x31 && buf[start + 7] !== 0x30) ||
      buf[start + 8] !== 0x20 ||
      (end - start > 12 && buf[start + 12] !== 0x20)
    ) {
      this.fail('malformed response status line');
      return false;
    }
    let status = 0;
    for (let i = start + 9; i < start + 12; i++) {
      const d = buf[i]! - 0x30;
      if (d < 0 || d > 9) {
        this.fail('malformed response status line');
        return false;
      }
      status = status * 10 + d;
    }
    if (status < 100) {
      this.fail('malformed response status line');
      return false;
    }
    for (let i = start + 13; i < end; i++) {
      if (VALUE[buf[i]!] === 0) {
        this.fail('malformed response status line');
        return false;
      }
    }
    this.status = status;
    this.http10 = buf[start + 7] === 0x30;
    // Headers of interim (1xx) responses are parsed and thrown away.
    this.finalHead = status >= 200;
    return true;
  }

  private headerLine(buf: Buffer, start: number, end: number): boolean {
    let colon = start;
    while (colon < end && TOKEN[buf[colon]!] === 1) colon++;
    if (colon === start || colon === end || buf[colon] !== 0x3a) {
      // Also rejects obs-fold (a line starting with whitespace): deprecated, and never needed.
      this.fail('malformed response header');
      return false;
    }
    let vs = colon + 1;
    let ve = end;
    while (vs < ve && (buf[vs] === 0x20 || buf[vs] === 0x09)) vs++;
    while (ve > vs && (buf[ve - 1] === 0x20 || buf[ve - 1] === 0x09)) ve--;
    for (let i = vs; i < ve; i++) {
      if (VALUE[buf[i]!] === 0) {
        this.fail('malformed response header');
        return false;
      }
    }
    if (!this.finalHead) return true;
    const name = buf.toString('latin1', start, colon).toLowerCase();
    const value = buf.toString('latin1', vs, ve);
    if (name === 'content-length') {
      if (!this.setContentLength(value)) return false;
    } else if (name === 'transfer-encoding') {
      this.transferEncoding = true;
      // Only the final coding decides the framing; a later header line overrides it.
      this.chunked = lastToken(value) === 'chunked';
    } else if (name === 'connection') {
      const tokens = value.toLowerCase().split(',');
      for (const t of tokens) {
        const token = t.trim();
        if (token === 'close') this.keepAlive = false;
        else if (token === 'keep-alive') this.sawKeepAlive = true;
      }
    } else if (name === '__proto__') {
      return true; // cannot be a plain property; no backend needs it
    }
    const prev = this.headers[name];
    this.headers[name] = prev === undefined ? value : `${prev}, ${value}`;
    return true;
  }

  private setContentLength(value: string): boolean {
    let n = 0;
    if (value.length === 0 || value.length > 15) return this.badLength();
    for (let i = 0; i < value.length; i++) {
      const d = value.charCodeAt(i) - 0x30;
      if (d < 0 || d > 9) return this.badLength();
      n = n * 10 + d;
    }
    if (this.contentLength !== -1 && this.contentLength !== n) return this.badLength();
    this.contentLength = n;
    return true;
  }

  private badLength(): boolean {
    this.fail('malformed response content-length');
    return false;
  }

  private endOfHead(): boolean {
    const status = this.status;
    if (!this.finalHead) {
      if (status === 101) {
        this.fail('unexpected 101 response');
        return false;
      }
      // 100 Continue and friends: the real response follows.
      this.status = 0;
      this.startHead();
      return true;
    }
    if (this.http10 && !this.sawKeepAlive) this.keepAlive = false;
    if (status === 204 || status === 304) this.state = DONE;
    else if (this.transferEncoding) {
      // With both, Transfer-Encoding wins and the connection must not be reused (RFC 9112 6.3).
      if (this.contentLength !== -1) this.keepAlive = false;
      if (this.chunked) this.startChunkSize();
      else {
        this.keepAlive = false;
        this.state = UNTIL_CLOSE;
      }
    } else if (this.contentLength > 0) {
      this.remaining = this.contentLength;
      this.state = BODY;
    } else if (this.contentLength === 0) this.state = DONE;
    else {
      this.keepAlive = false;
      this.state = UNTIL_CLOSE;
    }
    return true;
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
      this.headBytes = 0;
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
      if (++this.headBytes > MAX_HEAD_BYTES) return this.fail('response trailers too large');
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

/** The last comma-separated token, trimmed and lower-cased ("gzip, chunked" -> "chunked"). */
function lastToken(value: string): string {
  return value
    .slice(value.lastIndexOf(',') + 1)
    .trim()
    .toLowerCase();
}
