import { type StackParseOptions, parseStack } from './stack/parse.js';
import type { ExceptionModel } from './types.js';

const MAX_CAUSE_DEPTH = 8;
const MAX_MESSAGE = 8192;

/** Event messages are cut at 8192 characters (plus `…`). */
export function truncateMessage(s: string): string {
  return s.length > MAX_MESSAGE ? `${s.slice(0, MAX_MESSAGE)}…` : s;
}

function isErrorLike(v: unknown): v is Error {
  return (
    v instanceof Error ||
    (typeof v === 'object' && v !== null && typeof (v as Error).message === 'string' && typeof (v as Error).stack === 'string')
  );
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return '[unprintable]';
  }
}

function className(err: Error): string {
  try {
    const name = err.name;
    if (typeof name === 'string' && name !== '' && name !== 'Error') return name;
    const ctor = (err as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof ctor === 'string' && ctor !== '' ? ctor : 'Error';
  } catch {
    return 'Error';
  }
}

/** One exception from anything that can be thrown: Errors, strings, plain objects, null. */
export function exceptionFromThrowable(thrown: unknown, stackOptions: StackParseOptions, syntheticStack?: string): ExceptionModel {
  if (isErrorLike(thrown)) {
    let message: string;
    try {
      message = typeof thrown.message === 'string' ? thrown.message : safeString(thrown.message);
    } catch {
      message = '';
    }
    let stack: unknown;
    try {
      stack = thrown.stack;
    } catch {
      stack = undefined;
    }
    return {
      type: className(thrown),
      value: truncateMessage(message),
      frames: parseStack(stack, stackOptions),
    };
  }
  let value: string;
  let type = 'Error';
  if (thrown === null || thrown === undefined || typeof thrown !== 'object') {
    value = safeString(thrown);
  } else {
    let keys: string[] = [];
    try {
      // Listing the keys of an array or binary data is O(length) (10 MB Buffer: seconds).
      if (!Array.isArray(thrown) && !ArrayBuffer.isView(thrown)) keys = Object.keys(thrown).slice(0, 10);
    } catch {}
    const ctor = (thrown as { constructor?: { name?: string } }).constructor?.name;
    if (ctor && ctor !== 'Object') type = ctor;
    const msg = (thrown as { message?: unknown }).message;
    value =
      typeof msg === 'string'
        ? msg
        : `Non-Error exception captured with keys: ${keys.length ? keys.join(', ') : '[none]'}`;
  }
  return {
    type,
    value: truncateMessage(value),
    frames: syntheticStack ? parseStack(syntheticStack, stackOptions) : [],
  };
}

/**
 * The `Error.cause` chain and `AggregateError.errors`, outermost first, bounded in depth and
 * safe against cycles (an error that is its own cause).
 */
export function causeChain(thrown: unknown, stackOptions: StackParseOptions): ExceptionModel[] {
  const out: ExceptionModel[] = [];
  const seen = new Set<unknown>([thrown]);
  const queue: unknown[] = [];
  const push = (v: unknown) => {
    if (v === undefined || seen.has(v)) return;
    seen.add(v);
    queue.push(v);
  };
  const children = (e: unknown) => {
    if (typeof e !== 'object' || e === null) return;
    try {
      if (Array.isArray((e as AggregateError).errors)) for (const x of (e as AggregateError).errors.slice(0, 10)) push(x);
      if ('cause' in e) push((e as { cause?: unknown }).cause);
    } catch {}
  };
  children(thrown);
  while (queue.length > 0 && out.length < MAX_CAUSE_DEPTH) {
    const next = queue.shift();
    out.push(exceptionFromThrowable(next, stackOptions));
    children(next);
  }
  return out;
}

/** A short stable key for consecutive-duplicate detection. */
export function exceptionSignature(ex: ExceptionModel): string {
  const top = ex.frames[ex.frames.length - 1];
  return `${ex.type}\u0000${ex.value}\u0000${top ? `${top.absPath}:${top.lineno}:${top.colno}` : ''}`;
}
