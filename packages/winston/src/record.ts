import {
  errorAttributes,
  exceedsLogLimits,
  isErrorLike,
  LOG_MAX_BREADTH,
  messageText,
} from '@sightline/core';

const SPLAT = Symbol.for('splat');

/** Keys that are the record itself, winston bookkeeping, or the correlation fields. */
const SKIP: ReadonlySet<string> = new Set([
  'level',
  'message',
  'stack',
  'exception',
  'timestamp',
  'trace_id',
  'span_id',
  'request_id',
]);

/** Keys under which an Error is the record's error rather than one field among others. */
const ERROR_KEYS: ReadonlySet<string> = new Set(['err', 'error', 'exception']);

export interface ReadInfo {
  message: string;
  attributes: Record<string, unknown> | undefined;
  error: object | undefined;
  truncated: boolean;
}

function get(o: object, key: string | symbol): unknown {
  try {
    return (o as Record<string | symbol, unknown>)[key];
  } catch {
    return undefined;
  }
}

/** An Error built from the `stack` string winston merges into a record (`format.errors`, `log(msg, err)`). */
function errorFromStack(stack: string, message: string): Error {
  const colon = stack.indexOf(':');
  const head = colon > 0 && colon < 100 ? stack.slice(0, colon) : '';
  const err = new Error(message);
  if (/^[A-Za-z_$][\w$]*$/.test(head) && head !== 'Error') err.name = head;
  err.stack = stack;
  return err;
}

/**
 * Reads a winston `info` object: its message, its metadata as attributes (correlation fields
 * and winston bookkeeping left out), and the Error it carries, from wherever winston put it:
 * the record itself (`logger.error(err)`), an `err`/`error`/`exception` field, the splat
 * (`logger.error('msg', err)`), or only a `stack` string (`format.errors()`).
 */
export function readInfo(info: Record<string, unknown>, maxMessageLength: number): ReadInfo {
  let error: object | undefined = info instanceof Error ? info : undefined;
  let errorKey: string | undefined;
  let attributes: Record<string, unknown> | undefined;
  let keys: string[];
  try {
    keys = Object.keys(info);
  } catch {
    keys = [];
  }
  let truncated = keys.length > LOG_MAX_BREADTH;
  for (const key of keys) {
    if (SKIP.has(key)) continue;
    const value = get(info, key);
    if (value === undefined) continue;
    if (!truncated && exceedsLogLimits(value)) truncated = true;
    if (error === undefined && ERROR_KEYS.has(key) && isErrorLike(value)) {
      error = value;
      errorKey = key;
      continue;
    }
    (attributes ??= {})[key] = value;
  }
  if (error === undefined) {
    const splat = get(info, SPLAT);
    if (Array.isArray(splat)) {
      for (const s of splat) {
        if (isErrorLike(s)) {
          error = s;
          break;
        }
      }
    }
  }
  let message = messageText(get(info, 'message'));
  const stack = get(info, 'stack');
  if (error === undefined && typeof stack === 'string') error = errorFromStack(stack, message);
  if (error !== undefined) {
    if (message === '') message = messageText(get(error, 'message'));
    // winston copies `cause` next to the stack; error.cause.* already carries it.
    if (
      attributes &&
      errorKey === undefined &&
      attributes.cause !== undefined &&
      attributes.cause === get(error, 'cause')
    ) {
      delete attributes.cause;
    }
    errorAttributes(error, (attributes ??= {}));
  }
  if (message.length > maxMessageLength) {
    message = `${message.slice(0, maxMessageLength)}…`;
    truncated = true;
  }
  return { message, attributes, error, truncated };
}
