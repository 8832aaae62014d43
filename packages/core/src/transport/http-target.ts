import { isIP } from 'node:net';
import type { HttpPool } from './http-pool.js';

/** tchar (RFC 9110 5.6.2). */
const TOKEN = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~") TOKEN[c.charCodeAt(0)] = 1;
for (let c = 0x30; c <= 0x39; c++) TOKEN[c] = 1;
for (let c = 0x41; c <= 0x5a; c++) TOKEN[c] = 1;
for (let c = 0x61; c <= 0x7a; c++) TOKEN[c] = 1;

/** Headers the executor writes itself: framing and connection management are its business. */
const OWN_HEADERS = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

const HEAD_END = '\r\nConnection: keep-alive\r\n\r\n';

/**
 * One request URL, parsed once: where to connect, and the request head for the last header set
 * sent to it. Exporters send the same headers (content type, API key) on every request, so the
 * head is rebuilt (and its headers re-validated) only when a name or value changes.
 */
export class HttpTarget {
  readonly origin: string;
  readonly secure: boolean;
  /** Hostname to connect to (IPv6 without brackets). */
  readonly host: string;
  readonly port: number;
  /** SNI name: the hostname, unless it is an IP address (RFC 6066 forbids those). */
  readonly servername: string | undefined;
  /** From the URL's user info, as node:http does: `Basic ...`, unless the headers carry one. */
  private readonly basicAuth: string | undefined;
  private readonly requestTarget: string;
  private readonly hostHeader: string;

  private method = '';
  private names: string[] = [];
  private values: unknown[] = [];
  /** The head up to and including "Content-Length: ". */
  private prefix = '';
  /** The client's pool for this origin (it replaces a pool it dropped). */
  pool: HttpPool | undefined = undefined;
  /** True when the head is all ASCII, so it can share one utf8 string write with a string body. */
  ascii = true;

  private constructor(url: URL, basicAuth: string | undefined) {
    this.secure = url.protocol === 'https:';
    const hostname = url.hostname;
    this.host = hostname.startsWith('[') ? hostname.slice(1, -1) : hostname;
    this.port = url.port === '' ? (this.secure ? 443 : 80) : Number(url.port);
    this.origin = `${url.protocol}//${this.host}:${this.port}`;
    this.servername = isIP(this.host) === 0 ? this.host : undefined;
    this.hostHeader = url.host;
    this.requestTarget = (url.pathname || '/') + url.search;
    this.basicAuth = basicAuth;
  }

  /**
   * Parses a request URL. Returns an error message (which never echoes the URL: a DSN-style URL
   * may carry the key as user info) when it is not a usable http(s) URL.
   */
  static parse(raw: string): HttpTarget | string {
    let url: URL;
    let basicAuth: string | undefined;
    try {
      url = new URL(raw);
      if (url.username !== '' || url.password !== '') {
        const auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
        basicAuth = `Basic ${Buffer.from(auth).toString('base64')}`;
      }
    } catch {
      return 'Sightline transport: invalid request URL';
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return `Sightline transport: unsupported protocol ${url.protocol}`;
    }
    return new HttpTarget(url, basicAuth);
  }

  /**
   * The request head for a body of `length` bytes, or an Error (never naming a value: the API
   * key is one) when a header name or value could not be sent as it is.
   */
  head(method: string, headers: Record<string, string>, length: number): string | Error {
    if (!this.sameHeaders(method, headers)) {
      const error = this.build(method, headers);
      if (error !== undefined) return error;
    }
    return this.prefix + length + HEAD_END;
  }

  private sameHeaders(method: string, headers: Record<string, string>): boolean {
    if (method !== this.method) return false;
    const names = this.names;
    const values = this.values;
    let i = 0;
    for (const name in headers) {
      if (i === names.length || names[i] !== name || values[i] !== headers[name]) return false;
      i++;
    }
    return i === names.length;
  }

  private build(method: string, headers: Record<string, string>): Error | undefined {
    if (method !== 'POST' && method !== 'PUT') return new Error('Sightline transport: unsupported method');
    const names: string[] = [];
    const values: unknown[] = [];
    let lines = '';
    let host = this.hostHeader;
    let hasAuthorization = false;
    let ascii = true;
    for (const name in headers) {
      const raw: unknown = headers[name];
      names.push(name);
      values.push(raw);
      if (!isToken(name)) return new Error('Sightline transport: invalid header name');
      const value = typeof raw === 'number' ? String(raw) : raw;
      if (typeof value !== 'string')
        return new Error(`Sightline transport: invalid value for header ${name}`);
      const chars = valueChars(value);
      if (chars === -1) return new Error(`Sightline transport: invalid value for header ${name}`);
      if (chars === 1) ascii = false;
      const lower = name.toLowerCase();
      if (OWN_HEADERS.has(lower)) continue;
      if (lower === 'host') host = value;
      else {
        if (lower === 'authorization') hasAuthorization = true;
        lines += `${name}: ${value}\r\n`;
      }
    }
    if (this.basicAuth !== undefined && !hasAuthorization) lines += `Authorization: ${this.basicAuth}\r\n`;
    this.method = method;
    this.names = names;
    this.values = values;
    this.ascii = ascii;
    this.prefix = `${method} ${this.requestTarget} HTTP/1.1\r\nHost: ${host}\r\n${lines}Content-Length: `;
    return undefined;
  }
}

function isToken(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 128 || TOKEN[c] !== 1) return false;
  }
  return true;
}

/**
 * 0: HTAB and visible ASCII/SP only; 1: also obs-text (0x80-0xff, sent as latin1, as node:http
 * does); -1: CR, LF, NUL or any other control character, or anything beyond latin1.
 */
function valueChars(value: string): number {
  let out = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20) {
      if (c !== 0x09) return -1;
    } else if (c >= 0x7f) {
      if (c === 0x7f || c > 0xff) return -1;
      out = 1;
    }
  }
  return out;
}
