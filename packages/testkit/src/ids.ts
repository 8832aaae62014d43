import { randomBytes } from 'node:crypto';

/**
 * A random 32-hex W3C trace id.
 * @example
 * const t = traceId(); // 'a1b2…' (32 chars)
 */
export const traceId = (): string => randomBytes(16).toString('hex');

/**
 * A random 16-hex W3C span id.
 * @example
 * const headers = { traceparent: `00-${traceId()}-${spanId()}-01` };
 */
export const spanId = (): string => randomBytes(8).toString('hex');

/** A sent `traceparent` and the ids inside it. */
export interface TraceParent {
  traceId: string;
  /** The caller's span: what the server's span must name as its parent. */
  spanId: string;
  /** `00-<traceId>-<spanId>-01` (or `-00` when not sampled). */
  header: string;
}

/**
 * A fresh W3C `traceparent` with random ids.
 * @example
 * const tp = traceparent();
 * await fetch(url, { headers: { traceparent: tp.header } });
 */
export function traceparent(sampled = true): TraceParent {
  const t = traceId();
  const s = spanId();
  return { traceId: t, spanId: s, header: `00-${t}-${s}-${sampled ? '01' : '00'}` };
}

/** A trace id: 32 lower-case hex digits. */
export const HEX32 = /^[0-9a-f]{32}$/;
/** A span id: 16 lower-case hex digits. */
export const HEX16 = /^[0-9a-f]{16}$/;
/** A lower-case UUID (generated request ids). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** An ISO-8601 UTC timestamp with milliseconds, as the wire format has it. */
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const T = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
const P = '0123456789abcdef';
const ZT = '0'.repeat(32);
const ZP = '0'.repeat(16);
const BIG = 'f'.repeat(8192);

/**
 * Inbound headers that must be ignored: each request still succeeds and starts a new trace.
 * The ids inside are fixed so a test can assert none of them leaked into the trace
 * ({@link HOSTILE_IDS}). Names starting with `request id` carry a bad request id instead.
 * @example
 * for (const [name, headers] of HOSTILE_HEADERS) await httpRequest(url, { headers });
 */
export const HOSTILE_HEADERS: [string, Record<string, string>][] = [
  ['traceparent one char short', { traceparent: `00-${T.slice(1)}-${P}-01` }],
  ['traceparent too long for version 00', { traceparent: `00-${T}-${P}-01-extra` }],
  ['traceparent short span id', { traceparent: `00-${T}-${P.slice(2)}-01` }],
  ['traceparent zero trace id', { traceparent: `00-${ZT}-${P}-01` }],
  ['traceparent zero span id', { traceparent: `00-${T}-${ZP}-01` }],
  ['traceparent non-hex trace id', { traceparent: `00-${T.slice(0, 31)}g-${P}-01` }],
  ['traceparent non-hex flags', { traceparent: `00-${T}-${P}-0z` }],
  ['traceparent uppercase', { traceparent: `00-${T.toUpperCase()}-${P}-01` }],
  ['traceparent version ff', { traceparent: `ff-${T}-${P}-01` }],
  ['traceparent bad separators', { traceparent: `00_${T}_${P}_01` }],
  ['traceparent 8 KB', { traceparent: `00-${T}-${P}-01${BIG}` }],
  ['traceparent 8 KB of dashes', { traceparent: '-'.repeat(8192) }],
  ['traceparent empty', { traceparent: '' }],
  ['allstak-trace zero ids', { 'allstak-trace': `${ZT}-${ZP}-1` }],
  ['allstak-trace bad flag', { 'allstak-trace': `${T}-${P}-2` }],
  ['allstak-trace uppercase', { 'allstak-trace': `${T.toUpperCase()}-${P}-1` }],
  ['allstak-trace 8 KB', { 'allstak-trace': `${T}-${P}-1${BIG}` }],
  ['x-allstak-trace-id short', { 'x-allstak-trace-id': T.slice(2) }],
  ['x-allstak-trace-id zeros', { 'x-allstak-trace-id': ZT }],
  ['x-allstak-trace-id uppercase', { 'x-allstak-trace-id': T.toUpperCase() }],
  ['x-allstak-trace-id 8 KB', { 'x-allstak-trace-id': BIG }],
  ['x-trace-id non-hex', { 'x-trace-id': 'z'.repeat(32) }],
  ['x-trace-id 8 KB', { 'x-trace-id': BIG }],
  ['request id 8 KB', { 'x-allstak-request-id': BIG }],
  ['request id control characters', { 'x-request-id': '\t' }],
];

/** The ids hidden in {@link HOSTILE_HEADERS}; none may show up in any trace. */
export const HOSTILE_IDS = [T, P, ZT, ZP, T.toUpperCase()];
