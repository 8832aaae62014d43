import { FILTERED, isSensitiveKey, scrubString } from './scrub.js';

export { FILTERED, isSensitiveKey, scrubHeaders, scrubString, scrubUrl } from './scrub.js';

export interface NormalizeOptions {
  /** Redact secrets and PII (`sendDefaultPii: false`). When false, data passes verbatim. */
  scrub: boolean;
  /** Containers nested deeper than this become `'[Object]'` / `'[Array]'`. @default 8 */
  maxDepth?: number;
  /** Keys or items kept per object, array, Map or Set; the rest are dropped. @default 200 */
  maxBreadth?: number;
  /** Longer strings are cut to this many characters, the last one being `…`. @default 8192 */
  maxStringLength?: number;
}

interface State {
  scrub: boolean;
  maxDepth: number;
  maxBreadth: number;
  maxStr: number;
  /** The objects on the current path: a repeat is a cycle, a shared sibling is not. */
  ancestors: object[];
}

/**
 * Scrubbing looks a little past the cut, so PII straddling `maxStringLength` is still matched
 * whole before the string is shortened.
 */
const SCRUB_MARGIN = 256;
const THROWN = '[Thrown]';
const hasOwn = Object.prototype.hasOwnProperty;

/**
 * Returns a JSON-safe deep copy of `value`. Cycles → `'[Circular]'`; too deep → `'[Object]'` /
 * `'[Array]'`; BigInt → string; Symbol → its `toString()`; functions → `'[Function: name]'`;
 * Buffers, TypedArrays, ArrayBuffers → `'[Buffer N bytes]'`; Date → ISO string; Error →
 * `{ name, message, stack, ...own enumerable props, cause? }`; Map → object; Set → array; objects
 * with `toJSON` → its result; throwing getters → `'[Thrown]'`; `undefined` dropped from objects
 * (`null` in arrays); NaN/±Infinity → strings; long strings cut with `…`. With `scrub`, values
 * under {@link isSensitiveKey} keys become `'[Filtered]'`, strings go through {@link scrubString}
 * and integers shaped like payment cards are filtered. Never throws.
 *
 * @example
 * normalize({ password: 'x', to: 'a@b.com', n: 1n }, { scrub: true }); // { password: '[Filtered]', to: '[Filtered]', n: '1' }
 */
export function normalize(value: unknown, options: NormalizeOptions): unknown {
  try {
    return walk(value, 0, makeState(options));
  } catch {
    return THROWN;
  }
}

/**
 * Normalizes a flat record of attributes (log metadata, tags, extras) like {@link normalize};
 * anything that does not normalize to a plain object gives `undefined`.
 *
 * @example
 * normalizeRecord({ userId: 42, token: 'abc' }, { scrub: true }); // { userId: 42, token: '[Filtered]' }
 */
export function normalizeRecord(
  rec: Record<string, unknown> | undefined,
  options: NormalizeOptions,
): Record<string, unknown> | undefined {
  if (rec === undefined || rec === null || typeof rec !== 'object') return undefined;
  const out = normalize(rec, options);
  return out !== null && typeof out === 'object' && !Array.isArray(out)
    ? (out as Record<string, unknown>)
    : undefined;
}

function makeState(o: NormalizeOptions | undefined): State {
  return {
    scrub: o?.scrub === true,
    maxDepth: limit(o?.maxDepth, 8),
    maxBreadth: limit(o?.maxBreadth, 200),
    maxStr: Math.max(1, limit(o?.maxStringLength, 8192)),
    ancestors: [],
  };
}

function limit(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && v >= 0 && v !== Number.POSITIVE_INFINITY ? Math.floor(v) : fallback;
}

function walk(v: unknown, depth: number, st: State): unknown {
  switch (typeof v) {
    case 'string':
      return str(v, st);
    case 'number':
      if (!Number.isFinite(v)) return cap(String(v), st);
      return st.scrub &&
        (v >= 1e12 || v <= -1e12) &&
        Number.isInteger(v) &&
        scrubString(String(v)) !== String(v)
        ? FILTERED
        : v;
    case 'boolean':
    case 'undefined':
      return v;
    case 'bigint':
      return str(v.toString(), st);
    case 'symbol':
      return str(v.toString(), st);
    case 'function':
      return cap(`[Function: ${functionName(v)}]`, st);
  }
  if (v === null) return null;
  try {
    return object(v as object, depth, st);
  } catch {
    return THROWN;
  }
}

function str(s: string, st: State): string {
  if (st.scrub) {
    if (s.length > st.maxStr + SCRUB_MARGIN) s = s.slice(0, st.maxStr + SCRUB_MARGIN);
    s = scrubString(s);
  }
  return s.length > st.maxStr ? truncate(s, st.maxStr) : s;
}

/** Length cap for strings the SDK made itself (no scrubbing needed). */
function cap(s: string, st: State): string {
  return s.length > st.maxStr ? truncate(s, st.maxStr) : s;
}

/** Cuts to `max` characters including the `…`, never splitting a surrogate pair. */
function truncate(s: string, max: number): string {
  let end = max - 1;
  const c = s.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return s.slice(0, end) + '…';
}

function functionName(fn: Function): string {
  try {
    return typeof fn.name === 'string' && fn.name !== '' ? fn.name : '<anonymous>';
  } catch {
    return '<anonymous>';
  }
}

function object(o: object, depth: number, st: State): unknown {
  if (o instanceof Date) {
    const t = o.getTime();
    return cap(Number.isNaN(t) ? 'Invalid Date' : o.toISOString(), st);
  }
  if (ArrayBuffer.isView(o) || o instanceof ArrayBuffer || o instanceof SharedArrayBuffer) {
    return cap(`[Buffer ${(o as ArrayBuffer).byteLength} bytes]`, st);
  }
  if (o instanceof RegExp) return str(String(o), st);
  if (o instanceof String || o instanceof Number || o instanceof Boolean) return walk(o.valueOf(), depth, st);
  const isArray = Array.isArray(o);
  const isSet = !isArray && o instanceof Set;
  if (st.ancestors.includes(o)) return '[Circular]';
  if (depth >= st.maxDepth) return isArray || isSet ? '[Array]' : '[Object]';
  st.ancestors.push(o);
  try {
    if (isArray) return array(o as unknown[], depth, st);
    if (isSet) return iterableArray(o as Set<unknown>, depth, st);
    if (o instanceof Map) return mapObject(o, depth, st);
    if (o instanceof Error) return errorObject(o, depth, st);
    const toJSON = (o as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') {
      const j: unknown = toJSON.call(o);
      // One level deeper, so a toJSON that returns fresh objects forever still terminates.
      if (j !== o) return walk(j, depth + 1, st);
    }
    return plainObject(o as Record<string, unknown>, depth, st);
  } finally {
    st.ancestors.pop();
  }
}

function array(a: unknown[], depth: number, st: State): unknown[] {
  const n = Math.min(a.length, st.maxBreadth);
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    let item: unknown;
    try {
      item = walk(a[i], depth + 1, st);
    } catch {
      item = THROWN;
    }
    out[i] = item === undefined ? null : item;
  }
  return out;
}

function iterableArray(items: Iterable<unknown>, depth: number, st: State): unknown[] {
  const out: unknown[] = [];
  for (const item of items) {
    if (out.length >= st.maxBreadth) break;
    const w = walk(item, depth + 1, st);
    out.push(w === undefined ? null : w);
  }
  return out;
}

function mapObject(m: Map<unknown, unknown>, depth: number, st: State): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of m) {
    if (n++ >= st.maxBreadth) break;
    const key = typeof k === 'string' ? k : typeof k === 'object' && k !== null ? '[Object]' : String(k);
    put(out, key, st.scrub && isSensitiveKey(key) ? FILTERED : walk(v, depth + 1, st), st);
  }
  return out;
}

function errorObject(e: Error, depth: number, st: State): Record<string, unknown> {
  const out: Record<string, unknown> = {
    name: field(e, 'name', depth, st),
    message: field(e, 'message', depth, st),
    stack: field(e, 'stack', depth, st),
  };
  plainObject(e as unknown as Record<string, unknown>, depth, st, out);
  if (!('cause' in out) && hasOwn.call(e, 'cause')) put(out, 'cause', field(e, 'cause', depth, st), st);
  return out;
}

function field(o: object, key: string, depth: number, st: State): unknown {
  try {
    return walk((o as Record<string, unknown>)[key], depth + 1, st);
  } catch {
    return THROWN;
  }
}

function plainObject(
  o: Record<string, unknown>,
  depth: number,
  st: State,
  out: Record<string, unknown> = {},
): Record<string, unknown> {
  let n = 0;
  for (const key in o) {
    if (!hasOwn.call(o, key)) continue;
    if (n++ >= st.maxBreadth) break;
    // Sensitive values are never read, so a secret behind a getter is not even computed.
    put(out, key, st.scrub && isSensitiveKey(key) ? FILTERED : field(o, key, depth, st), st);
  }
  return out;
}

function put(out: Record<string, unknown>, key: string, value: unknown, st: State): void {
  if (value === undefined) return;
  if (key.length > st.maxStr) key = truncate(key, st.maxStr);
  // A plain assignment to "__proto__" would swap the prototype instead of adding a key.
  if (key === '__proto__')
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}
