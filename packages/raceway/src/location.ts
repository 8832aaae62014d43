import { parseStack } from '@sightline/core';

/**
 * Source locations, split so the calling path pays only for V8's frame capture: the holder's
 * `stack` string is formatted (lazily, by V8) and parsed in the transport worker.
 */

/** An object whose lazily formatted `stack` starts at the caller of a public function. */
export type CallSite = { readonly stack?: string };

/** Frames captured: the caller, plus a few in case it is library code wrapping our API. */
const FRAMES = 4;

export const UNKNOWN_LOCATION = 'unknown:0';

/**
 * Captures the stack above `fn` (a public API function), so SDK frames are never in it.
 * Undefined if the runtime refuses (a frozen `Error`), which only loses the location.
 */
export function captureCallSite(fn: Function): CallSite | undefined {
  const holder: { stack?: string } = {};
  try {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = FRAMES;
    try {
      Error.captureStackTrace(holder, fn);
    } finally {
      Error.stackTraceLimit = limit;
    }
  } catch {
    return undefined;
  }
  return holder;
}

/** `file:line` of the innermost in-app frame (else the innermost frame), or `unknown:0`. */
export function resolveCallSite(site: CallSite | undefined): {
  file: string;
  line: number;
  location: string;
} {
  let stack: unknown;
  try {
    stack = site?.stack;
  } catch {
    stack = undefined;
  }
  const frames = parseStack(stack, { maxFrames: FRAMES });
  let frame = frames[frames.length - 1];
  for (let i = frames.length - 1; i >= 0; i--) {
    if (frames[i]!.inApp) {
      frame = frames[i];
      break;
    }
  }
  if (!frame || typeof frame.lineno !== 'number')
    return { file: 'unknown', line: 0, location: UNKNOWN_LOCATION };
  const file = frame.filename || frame.absPath;
  return { file, line: frame.lineno, location: `${file}:${frame.lineno}` };
}
