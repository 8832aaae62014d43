/**
 * Parses one HTTP/1.x response head (status line, header lines, blank line). One pass over the
 * bytes checks every character and marks where names and values lie; then the head is decoded
 * to a string once and the values are sliced from it, which is several times cheaper than a
 * Buffer-to-string call per name and value. No regex; linear on any input.
 */

const NL = 0x0a;
const CR = 0x0d;

/** tchar (RFC 9110 5.6.2): what a header name may consist of. */
const TOKEN = new Uint8Array(256);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

/** Field and reason-phrase bytes: HTAB, SP, visible ASCII, obs-text. Not CR, NUL, DEL... */
const TEXT = new Uint8Array(256);
TEXT[0x09] = 1;
for (let c = 0x20; c <= 0xff; c++) TEXT[c] = c === 0x7f ? 0 : 1;

/**
 * Names recognised in place, case-insensitively, so the common ones (and those the transport
 * reads) cost no string of their own: by length, then byte by byte.
 */
const KNOWN: { name: string; bytes: Buffer }[][] = [];
for (const name of [
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'retry-after',
  'server',
  'vary',
  'content-encoding',
  'cache-control',
  'x-powered-by',
  'etag',
]) {
  (KNOWN[name.length] ??= []).push({ name, bytes: Buffer.from(name, 'latin1') });
}

function knownName(buf: Buffer, start: number, end: number): string | undefined {
  const list = KNOWN[end - start];
  if (list === undefined) return undefined;
  for (let k = 0; k < list.length; k++) {
    const known = list[k]!;
    if (sameLetters(buf, start, known.bytes)) return known.name;
  }
  return undefined;
}

const HTTP1 = Buffer.from('HTTP/1.', 'latin1');
const CLOSE = Buffer.from('close', 'latin1');
const KEEP_ALIVE = Buffer.from('keep-alive', 'latin1');

/**
 * Whether `buf` at `start` holds `lower` (lower-case letters, digits and '-'), ignoring case.
 * |0x20 lower-cases letters; the only other byte it can turn into a letter, digit or '-' is
 * CR (into '-'), and a CR never reaches here inside a name or a value.
 */
function sameLetters(buf: Buffer, start: number, lower: Buffer): boolean {
  for (let i = 0; i < lower.length; i++) if ((buf[start + i]! | 0x20) !== lower[i]) return false;
  return true;
}

export class ResponseHead {
  status = 0;
  http10 = false;
  /** Lower-case names; duplicates joined with ", ". Only filled for a final (non-1xx) head. */
  headers: Record<string, string | undefined> = {};
  connectionClose = false;
  connectionKeepAlive = false;
  /** -1 when absent. */
  contentLength = -1;
  /** `Keep-Alive: timeout=N`, in seconds; -1 when absent. */
  keepAliveTimeout = -1;
  transferEncoding = false;
  /** The final transfer coding is chunked. */
  chunked = false;
  error = '';
  /** Per header line: name start, colon, value start, value end (offsets into the buffer). */
  private readonly marks: number[] = [];

  /**
   * Parses the head at `buf[start, end)`. Returns where it ends (just past its blank line),
   * 0 when the bytes end first, or -1 (see `error`).
   */
  parse(buf: Buffer, start: number, end: number): number {
    let i = this.statusLine(buf, start, end);
    if (i <= 0) return i;
    const marks = this.marks;
    marks.length = 0;
    for (;;) {
      if (i >= end) return 0;
      const first = buf[i];
      if (first === CR && i + 1 === end) return 0;
      if (first === NL || (first === CR && buf[i + 1] === NL)) {
        i += first === NL ? 1 : 2;
        break;
      }
      const lineStart = i;
      while (i < end && TOKEN[buf[i]!] === 1) i++;
      if (i === end) return 0;
      // Also rejects obs-fold (a line starting with whitespace): deprecated, and never needed.
      if (i === lineStart || buf[i] !== 0x3a) return this.fail('malformed response header');
      const colon = i++;
      while (i < end && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
      const vs = i;
      while (i < end && TEXT[buf[i]!] === 1) i++;
      if (i === end) return 0;
      let ve = i;
      if (buf[i] === CR) {
        if (i + 1 === end) return 0;
        i++;
      }
      if (buf[i] !== NL) return this.fail('malformed response header');
      i++;
      while (ve > vs && (buf[ve - 1] === 0x20 || buf[ve - 1] === 0x09)) ve--;
      marks.push(lineStart, colon, vs, ve);
    }
    if (this.status >= 200) this.collect(buf, start, i);
    return i;
  }

  private fail(message: string): number {
    this.error = message;
    return -1;
  }

  /** "HTTP/1.x SSS[ reason]": returns where the next line starts, 0 (need more) or -1. */
  private statusLine(buf: Buffer, start: number, end: number): number {
    this.status = 0;
    this.connectionClose = false;
    this.connectionKeepAlive = false;
    this.contentLength = -1;
    this.keepAliveTimeout = -1;
    this.transferEncoding = false;
    this.chunked = false;
    let i = start + 12;
    if (i > end) {
      // Not even the start of a status line: fail now rather than wait for more garbage.
      for (let k = 0; k < 7 && start + k < end; k++) {
        if (buf[start + k] !== HTTP1[k]) return this.fail('malformed response status line');
      }
      return 0;
    }
    const minor = buf[start + 7];
    if (
      buf[start] !== 0x48 || // H
      buf[start + 1] !== 0x54 || // T
      buf[start + 2] !== 0x54 || // T
      buf[start + 3] !== 0x50 || // P
      buf[start + 4] !== 0x2f || // /
      buf[start + 5] !== 0x31 || // 1
      buf[start + 6] !== 0x2e || // .
      (minor !== 0x31 && minor !== 0x30) ||
      buf[start + 8] !== 0x20
    ) {
      return this.fail('malformed response status line');
    }
    let status = 0;
    for (let d = start + 9; d < start + 12; d++) {
      const digit = buf[d]! - 0x30;
      if (digit < 0 || digit > 9) return this.fail('malformed response status line');
      status = status * 10 + digit;
    }
    if (status < 100) return this.fail('malformed response status line');
    if (i < end && buf[i] === 0x20) {
      i++;
      while (i < end && TEXT[buf[i]!] === 1) i++;
    }
    if (i < end && buf[i] === CR) i++;
    if (i >= end) return 0;
    if (buf[i] !== NL) return this.fail('malformed response status line');
    this.status = status;
    this.http10 = minor === 0x30;
    return i + 1;
  }

  /** Builds the headers object of a final head from the marks. */
  private collect(buf: Buffer, start: number, end: number): void {
    const text = buf.toString('latin1', start, end);
    const headers: Record<string, string | undefined> = {};
    const marks = this.marks;
    for (let m = 0; m < marks.length; m += 4) {
      const ns = marks[m]!;
      const colon = marks[m + 1]!;
      const name = knownName(buf, ns, colon) ?? text.slice(ns - start, colon - start).toLowerCase();
      const vs = marks[m + 2]!;
      const ve = marks[m + 3]!;
      const value = text.slice(vs - start, ve - start);
      if (name === 'content-length') this.setContentLength(value);
      else if (name === 'transfer-encoding') {
        this.transferEncoding = true;
        // Only the final coding decides the framing; a later header line overrides it.
        this.chunked = lastToken(value) === 'chunked';
      } else if (name === 'connection') {
        // The usual values are matched in place; lists are split.
        if (ve - vs === 10 && sameLetters(buf, vs, KEEP_ALIVE)) this.connectionKeepAlive = true;
        else if (ve - vs === 5 && sameLetters(buf, vs, CLOSE)) this.connectionClose = true;
        else this.connection(value);
      } else if (name === 'keep-alive') {
        this.keepAliveTimeout = timeoutParameter(value);
      } else if (name === '__proto__') continue; // cannot be a plain property; no backend needs it
      const prev = headers[name];
      headers[name] = prev === undefined ? value : `${prev}, ${value}`;
    }
    this.headers = headers;
  }

  private connection(value: string): void {
    for (const t of value.split(',')) {
      const token = t.trim().toLowerCase();
      if (token === 'close') this.connectionClose = true;
      else if (token === 'keep-alive') this.connectionKeepAlive = true;
    }
  }

  /** Digits only; a second, different value makes the framing ambiguous: -2 (malformed). */
  private setContentLength(value: string): void {
    let n = value.length === 0 || value.length > 15 ? -2 : 0;
    for (let i = 0; i < value.length && n >= 0; i++) {
      const d = value.charCodeAt(i) - 0x30;
      n = d < 0 || d > 9 ? -2 : n * 10 + d;
    }
    if (this.contentLength === -2 || (this.contentLength !== -1 && this.contentLength !== n)) n = -2;
    this.contentLength = n;
  }
}

/** N of a "timeout=N" parameter (RFC 2068 19.7.1.1, as Node and nginx send it), or -1. */
function timeoutParameter(value: string): number {
  const at = value.startsWith('timeout=') ? 0 : value.toLowerCase().indexOf('timeout=');
  if (at === -1) return -1;
  let n = -1;
  for (let i = at + 8; i < value.length && i < at + 16; i++) {
    const d = value.charCodeAt(i) - 0x30;
    if (d < 0 || d > 9) break;
    n = (n === -1 ? 0 : n * 10) + d;
  }
  return n;
}

/** The last comma-separated token, trimmed and lower-cased ("gzip, chunked" -> "chunked"). */
function lastToken(value: string): string {
  return value
    .slice(value.lastIndexOf(',') + 1)
    .trim()
    .toLowerCase();
}
