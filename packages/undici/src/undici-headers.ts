import type { HeaderAccess } from './exchange.js';

/** The slice of undici's `Request` that trace headers are written to. */
export interface UndiciHeaderCarrier {
  /** Alternating name/value (undici 6/7); a raw `name: value\r\n` string in older versions. */
  headers?: unknown;
  addHeader?(name: string, value: string): unknown;
}

function hasRawHeader(raw: string, name: string): boolean {
  const lower = raw.toLowerCase();
  return lower.startsWith(`${name}:`) || lower.includes(`\n${name}:`);
}

// A token (RFC 9110) that undici files under `headers` with no side effect. Names undici treats
// specially (host, content-length, connection, ...) or rejects are left to `addHeader`.
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const SPECIAL = new Set([
  'host',
  'content-length',
  'content-type',
  'transfer-encoding',
  'keep-alive',
  'upgrade',
  'connection',
  'expect',
]);
// Printable ASCII and tab: a subset of what undici accepts in a value.
const PLAIN_VALUE = /^[\t\x20-\x7e]*$/;
// Propagators write a handful of fixed names; the bound only matters for a custom propagator
// that would invent names per request.
const MAX_NAMES = 64;
const plainNames = new Map<string, boolean>();

function isPlainName(name: string): boolean {
  let ok = plainNames.get(name);
  if (ok === undefined) {
    ok = TOKEN.test(name) && !SPECIAL.has(name.toLowerCase());
    if (plainNames.size < MAX_NAMES) plainNames.set(name, ok);
  }
  return ok;
}

/**
 * Header access on undici's request from `undici:request:create`. A plain name with a printable
 * value is appended to the `headers` array directly: it is what `addHeader` does for such a
 * header, without validating a name seen before (each call costs ~0.2 µs, five per request).
 * Anything else goes through `addHeader`, which validates, handles special names and throws.
 */
export const undiciHeaders: HeaderAccess<UndiciHeaderCarrier> = {
  has(request, name) {
    const h = request.headers;
    if (Array.isArray(h)) {
      // Names keep the caller's casing; only compare those of the right length.
      for (let i = 0; i < h.length; i += 2) {
        const k = h[i];
        if (typeof k === 'string' && k.length === name.length && k.toLowerCase() === name) return true;
      }
      return false;
    }
    return typeof h === 'string' ? hasRawHeader(h, name) : false;
  },
  set(request, name, value) {
    const h = request.headers;
    if (typeof request.addHeader === 'function') {
      if (Array.isArray(h) && isPlainName(name) && PLAIN_VALUE.test(value)) h.push(name, value);
      else request.addHeader(name, value);
    } else if (typeof h === 'string') {
      request.headers = `${h}${name}: ${value}\r\n`;
    }
  },
};
