import type { AnyValue, KeyValue } from './model.js';

const MAX_DEPTH = 8;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Epoch milliseconds (fractional) to integer nanoseconds as a decimal string, exact to the microsecond. */
export function msToNanos(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return '0';
  const whole = Math.floor(ms);
  // Split so the float multiplication never exceeds 2^53 (epoch ns do).
  const frac = Math.round((ms - whole) * 1e6);
  return (BigInt(whole) * 1_000_000n + BigInt(frac)).toString();
}

/** A model value as an OTLP `AnyValue`; undefined for values OTLP cannot carry (functions, symbols). */
export function anyValue(v: unknown, depth = 0): AnyValue | undefined {
  switch (typeof v) {
    case 'string':
      return { stringValue: v };
    case 'boolean':
      return { boolValue: v };
    case 'number':
      if (Number.isInteger(v) && Number.isSafeInteger(v)) return { intValue: String(v) };
      return Number.isFinite(v) ? { doubleValue: v } : { stringValue: String(v) };
    case 'bigint':
      return v >= INT64_MIN && v <= INT64_MAX ? { intValue: v.toString() } : { stringValue: v.toString() };
    case 'object': {
      if (v === null) return undefined;
      if (depth >= MAX_DEPTH) return { stringValue: '[depth]' };
      if (Array.isArray(v)) {
        const values: AnyValue[] = [];
        for (const x of v) values.push(anyValue(x, depth + 1) ?? { stringValue: '' });
        return { arrayValue: { values } };
      }
      if (v instanceof Date) return { stringValue: Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString() };
      return { kvlistValue: { values: keyValues(v as Record<string, unknown>, depth + 1) } };
    }
    default:
      return undefined;
  }
}

/** Object entries as OTLP attributes, skipping values OTLP cannot carry. */
export function keyValues(obj: Record<string, unknown> | undefined, depth = 0, out: KeyValue[] = []): KeyValue[] {
  if (!obj) return out;
  for (const key of Object.keys(obj)) {
    const value = anyValue(obj[key], depth);
    if (value !== undefined) out.push({ key, value });
  }
  return out;
}

export const str = (key: string, v: string): KeyValue => ({ key, value: { stringValue: v } });
export const int = (key: string, v: number): KeyValue => ({ key, value: { intValue: String(Math.trunc(v)) } });

/** `host[:port]` (or `[v6]:port`) split into `server.address` and `server.port`. */
export function serverAttributes(hostPort: string, out: KeyValue[]): void {
  if (!hostPort) return;
  let host = hostPort;
  let port: number | undefined;
  const colon = hostPort.lastIndexOf(':');
  if (colon > 0 && hostPort.indexOf(']', colon) === -1) {
    const p = Number(hostPort.slice(colon + 1));
    if (Number.isInteger(p) && p > 0 && p < 65536) {
      host = hostPort.slice(0, colon);
      port = p;
    }
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  out.push(str('server.address', host));
  if (port !== undefined) out.push(int('server.port', port));
}
