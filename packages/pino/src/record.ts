import {
  type CorrelationIds,
  errorAttributes,
  exceedsLogLimits,
  isErrorLike,
  LOG_MAX_BREADTH,
  messageText,
} from '@sightline/core';

/** How records are shaped: pino's `messageKey` / `errorKey`. */
export interface RecordKeys {
  messageKey: string;
  errorKey: string;
}

/** Fields pino writes on every line (or correlation fields): not record attributes. */
const SKIP: ReadonlySet<string> = new Set([
  'level',
  'time',
  'pid',
  'hostname',
  'trace_id',
  'span_id',
  'request_id',
]);

const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export interface ReadRecord {
  message: string;
  attributes: Record<string, unknown> | undefined;
  error: object | undefined;
  truncated: boolean;
}

/**
 * The trace/span/request ids the mixin stamped on a record, validated (they are only data on a
 * log line: anything malformed is ignored rather than sent as an id).
 */
export function correlationIds(obj: Record<string, unknown>): CorrelationIds | undefined {
  const t = obj.trace_id;
  const s = obj.span_id;
  const r = obj.request_id;
  const traceId = typeof t === 'string' && TRACE_ID.test(t) && t !== ZERO_TRACE ? t : undefined;
  if (traceId === undefined) return undefined;
  return {
    traceId,
    spanId: typeof s === 'string' && SPAN_ID.test(s) && s !== ZERO_SPAN ? s : undefined,
    requestId: typeof r === 'string' && r.length > 0 && r.length <= 200 ? r : undefined,
  };
}

const MAX_SECTIONS = 6;
const MAX_SCAN = 50;

function isSerializedError(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const o = v as Record<string, unknown>;
  return typeof o.message === 'string' && (typeof o.stack === 'string' || typeof o.type === 'string');
}

/**
 * An Error rebuilt from pino's serialized form (`{ type, message, stack }`, where the stack
 * holds the `caused by:` chain), so events from parsed lines keep class, frames and causes.
 */
export function reviveError(serialized: Record<string, unknown>): Error {
  const stack = typeof serialized.stack === 'string' ? serialized.stack : '';
  const sections = stack === '' ? [] : stack.split('\ncaused by: ', MAX_SECTIONS);
  const type = typeof serialized.type === 'string' ? serialized.type : 'Error';
  const build = (section: string | undefined, fallbackType: string, fallbackMessage: string): Error => {
    let name = fallbackType;
    let message = fallbackMessage;
    if (section !== undefined) {
      const nl = section.indexOf('\n    at ');
      const header = nl === -1 ? section : section.slice(0, nl);
      const colon = header.indexOf(': ');
      const head = colon === -1 ? header : header.slice(0, colon);
      if (/^[A-Za-z_$][\w$]{0,99}$/.test(head)) {
        name = head;
        message = colon === -1 ? '' : header.slice(colon + 2);
      }
    }
    const err = new Error(message);
    if (name !== 'Error') err.name = name;
    if (section !== undefined) err.stack = section;
    return err;
  };
  const root = build(sections[0], type, typeof serialized.message === 'string' ? serialized.message : '');
  let current = root;
  for (let i = 1; i < sections.length; i++) {
    const cause = build(sections[i], 'Error', '');
    (current as { cause?: unknown }).cause = cause;
    current = cause;
  }
  return root;
}

/**
 * Reads one parsed record: message, attributes (pino's own fields and the correlation fields
 * left out), and the Error it carries — `original` (the object pino was given, with the real
 * Error in it) when at hand, else a revived one.
 */
export function readRecord(
  obj: Record<string, unknown>,
  keys: RecordKeys,
  original: Record<string, unknown> | undefined,
  maxMessageLength: number,
): ReadRecord {
  let attributes: Record<string, unknown> | undefined;
  const names = Object.keys(obj);
  let truncated = names.length > LOG_MAX_BREADTH;
  for (const key of names) {
    if (SKIP.has(key) || key === keys.messageKey || key === keys.errorKey) continue;
    const value = obj[key];
    if (!truncated && exceedsLogLimits(value)) truncated = true;
    (attributes ??= {})[key] = value;
  }
  let error: object | undefined;
  const real = original?.[keys.errorKey];
  const serialized = obj[keys.errorKey];
  if (isErrorLike(real)) error = real;
  else if (isSerializedError(serialized)) error = reviveError(serialized);
  else if (serialized !== undefined) (attributes ??= {})[keys.errorKey] = serialized;
  if (error === undefined && original !== undefined) {
    // `{ error: e }` under another key: pino writes it as `{}`, the real Error is in the object.
    let n = 0;
    for (const k in original) {
      if (++n > MAX_SCAN) break;
      const v = original[k];
      if (isErrorLike(v)) {
        error = v;
        if (attributes) delete attributes[k];
        break;
      }
    }
  }
  let message = messageText(obj[keys.messageKey]);
  if (error !== undefined) {
    if (message === '') message = messageText((error as Error).message);
    errorAttributes(error, (attributes ??= {}));
  }
  if (message.length > maxMessageLength) {
    message = `${message.slice(0, maxMessageLength)}…`;
    truncated = true;
  }
  return { message, attributes, error, truncated };
}
