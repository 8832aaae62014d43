import type { CausalityVector } from './wire.js';

/**
 * The `raceway-clock` header (WIRE-FORMATS §1.3): `v1;` + unpadded base64url of a JSON object
 * `{ trace_id, span_id, parent_span_id, service, instance, clock }`, as Raceway's TypeScript
 * (`Buffer.toString('base64url')`) and Rust (`URL_SAFE_NO_PAD`) SDKs write it.
 */
export const RACEWAY_CLOCK_HEADER = 'raceway-clock';
const PREFIX = 'v1;';

/** Longest header value read; longer ones are ignored whole. */
export const MAX_CLOCK_HEADER_LENGTH = 8192;
/** Most clock entries written into one header (the caller's own component always first). */
export const MAX_HEADER_CLOCK_ENTRIES = 64;
const MAX_NAME = 256;

export interface ClockHeaderPayload {
  /** UUID. */
  trace_id: string;
  /** 16 hex: the span the receiver runs as (the caller's client span). */
  span_id: string;
  /** 16 hex: the caller's own span, or null. */
  parent_span_id: string | null;
  service: string;
  instance: string;
  clock: CausalityVector;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * Encodes a payload. Keys are written in the order above.
 * @example encodeClockHeader({ trace_id, span_id, parent_span_id, service: 'api', instance: 'h-1', clock: [['api#h-1/0', 3]] })
 */
export function encodeClockHeader(p: ClockHeaderPayload): string {
  const json = JSON.stringify({
    trace_id: p.trace_id,
    span_id: p.span_id,
    parent_span_id: p.parent_span_id,
    service: p.service,
    instance: p.instance,
    clock: p.clock.length > MAX_HEADER_CLOCK_ENTRIES ? p.clock.slice(0, MAX_HEADER_CLOCK_ENTRIES) : p.clock,
  });
  return PREFIX + Buffer.from(json, 'utf8').toString('base64url');
}

function name(v: unknown): string | undefined {
  return typeof v === 'string' && v.length <= MAX_NAME ? v : undefined;
}

/**
 * Decodes a header value; undefined for anything absent, too long, of another version, not
 * base64url, not JSON, or without a UUID `trace_id` and a 16-hex `span_id`. Only well-formed
 * `[string, non-negative integer]` clock pairs are kept (as Raceway's SDK does). Never throws.
 */
export function decodeClockHeader(value: string | undefined): ClockHeaderPayload | undefined {
  if (typeof value !== 'string' || value.length > MAX_CLOCK_HEADER_LENGTH) return undefined;
  const v = value.trim();
  if (!v.startsWith(PREFIX)) return undefined;
  // Padding is tolerated on input even though neither reference SDK writes it.
  let b64 = v.slice(PREFIX.length);
  while (b64.endsWith('=')) b64 = b64.slice(0, -1);
  if (!BASE64URL.test(b64)) return undefined;
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(b64, 'base64url').toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    o = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const traceId = typeof o.trace_id === 'string' ? o.trace_id.toLowerCase() : undefined;
  const spanId = o.span_id;
  if (traceId === undefined || !UUID.test(traceId) || typeof spanId !== 'string' || !SPAN_ID.test(spanId)) {
    return undefined;
  }
  const parent =
    typeof o.parent_span_id === 'string' && SPAN_ID.test(o.parent_span_id) ? o.parent_span_id : null;
  const clock: CausalityVector = [];
  if (Array.isArray(o.clock)) {
    for (const pair of o.clock.slice(0, MAX_CLOCK_HEADER_LENGTH)) {
      if (!Array.isArray(pair) || pair.length !== 2) continue;
      const [k, n] = pair;
      if (typeof k !== 'string' || k.length === 0 || k.length > MAX_NAME) continue;
      if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) continue;
      clock.push([k, n]);
    }
  }
  return {
    trace_id: traceId,
    span_id: spanId,
    parent_span_id: parent,
    service: name(o.service) ?? '',
    instance: name(o.instance) ?? '',
    clock,
  };
}

/** Cheap shape check done on every inbound request; the full decode waits until a race event needs it. */
export function looksLikeClockHeader(value: string | undefined): boolean {
  return (
    typeof value === 'string' &&
    value.length <= MAX_CLOCK_HEADER_LENGTH &&
    value.trimStart().startsWith(PREFIX)
  );
}
