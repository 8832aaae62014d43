import { fileURLToPath } from 'node:url';
import type { StackFrameModel } from '../types.js';

/** One stack frame (the model's `StackFrameModel`). */
export type StackFrame = StackFrameModel;

export interface StackParseOptions {
  /** Path substrings that force `inApp: true` (checked first; empty strings are ignored). @default [] */
  inAppInclude?: readonly string[];
  /** Path substrings that force `inApp: false` unless an include matched. @default [] */
  inAppExclude?: readonly string[];
  /** Directory that `filename` is made relative to. @default process.cwd() */
  cwd?: string;
  /** Frames kept (the innermost ones win). @default 50 */
  maxFrames?: number;
}

const DEFAULT_MAX_FRAMES = 50;
/** A hostile `stack` (megabytes, millions of lines) costs at most this many lines of work. */
const MAX_LINES = 1000;
const MAX_LINE_LENGTH = 1000;
const UNKNOWN = '<anonymous>';

/**
 * Parses a V8 `err.stack` into frames, innermost LAST (the reverse of V8's order). Never throws:
 * anything that is not a string, and every line that is not a frame (`Error: msg`, multi-line
 * messages, `    ... 3 more`), is skipped.
 *
 * `inApp` rule, first match wins: the absPath contains an `inAppInclude` entry → `true`; it
 * contains an `inAppExclude` entry → `false`; it starts with `node:` or `internal/`, contains a
 * `node_modules` segment, has no line number (`native`, `index 0`, `<anonymous>`) or is an
 * `<anonymous>` script → `false`; otherwise `true`.
 *
 * @example
 * parseStack(new Error('x').stack).at(-1); // { function: 'handler', filename: 'src/app.js', lineno: 12, ... }
 */
export function parseStack(stack: unknown, options?: StackParseOptions): StackFrame[] {
  if (typeof stack !== 'string' || stack.length === 0) return [];
  try {
    return parseLines(stack, options ?? {});
  } catch {
    return [];
  }
}

/**
 * Renders frames back as AllStak `stackTrace` lines, `    at fn (absPath:line:col)`, innermost
 * FIRST like V8, with no header line. Frames without a line render as `    at fn (native)`.
 *
 * @example
 * stackTraceLines(frames); // ['    at handler (/app/src/app.js:12:5)', ...]
 */
export function stackTraceLines(frames: readonly StackFrame[]): string[] {
  const out: string[] = [];
  try {
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i];
      if (!f) continue;
      let loc = f.absPath || f.filename || UNKNOWN;
      if (typeof f.lineno === 'number') {
        loc += `:${f.lineno}`;
        if (typeof f.colno === 'number') loc += `:${f.colno}`;
      }
      out.push(`    at ${f.function || UNKNOWN} (${loc})`);
    }
  } catch {
    // A frame edited into something odd by beforeSend must not break encoding.
  }
  return out;
}

interface Ctx {
  include: readonly string[];
  exclude: readonly string[];
  cwdPrefix: string | undefined;
}

function parseLines(stack: string, options: StackParseOptions): StackFrame[] {
  const maxFrames =
    typeof options.maxFrames === 'number' && options.maxFrames >= 0
      ? Math.floor(options.maxFrames)
      : DEFAULT_MAX_FRAMES;
  const ctx: Ctx = {
    include: nonEmpty(options.inAppInclude),
    exclude: nonEmpty(options.inAppExclude),
    cwdPrefix: cwdPrefix(options.cwd),
  };
  const frames: StackFrame[] = [];
  const len = stack.length;
  let pos = 0;
  for (let examined = 0; pos < len && examined < MAX_LINES && frames.length < maxFrames; examined++) {
    let end = stack.indexOf('\n', pos);
    if (end === -1) end = len;
    let i = pos;
    while (i < end && (stack.charCodeAt(i) === 32 || stack.charCodeAt(i) === 9)) i++;
    if (end - i <= MAX_LINE_LENGTH && stack.startsWith('at ', i)) {
      const frame = parseFrame(stack.slice(i + 3, end).trim(), ctx);
      if (frame) frames.push(frame);
    }
    pos = end + 1;
  }
  return frames.reverse();
}

function parseFrame(text: string, ctx: Ctx): StackFrame | undefined {
  if (text.startsWith('async ')) text = text.slice(6);
  if (text.length === 0) return undefined;
  let fn = '';
  let loc = text;
  let parenthesized = false;
  if (text.endsWith(')')) {
    const open = matchingOpen(text);
    if (open > 0 && text.charCodeAt(open - 1) === 32) {
      fn = text.slice(0, open - 1).trim();
      loc = text.slice(open + 1, -1);
      parenthesized = true;
    } else if (open === 0) {
      loc = text.slice(1, -1);
      parenthesized = true;
    }
  }
  const alias = fn.endsWith(']') ? fn.lastIndexOf(' [as ') : -1;
  if (alias > 0) fn = fn.slice(0, alias);

  let where = parseLocation(loc);
  if (loc.startsWith('eval at ')) {
    // `eval at outer (/a.js:1:2), <anonymous>:1:1`: the origin of the eval'd code is the only
    // real file; nested evals put the outermost origin in the first closed parentheses.
    const close = loc.indexOf(')');
    const open = close > 0 ? loc.lastIndexOf('(', close) : -1;
    const origin = open >= 0 ? parseLocation(loc.slice(open + 1, close)) : undefined;
    if (origin && origin.lineno !== undefined) where = origin;
    else {
      const comma = loc.lastIndexOf(', ');
      if (comma !== -1) where = parseLocation(loc.slice(comma + 2));
    }
  }

  // A bare `at …` with no line is a message line ("at least 8 characters"), not a frame.
  if (!parenthesized && where.lineno === undefined && loc !== 'native' && loc !== UNKNOWN) return undefined;
  const absPath = where.path;
  const frame: StackFrame = {
    filename: relativeTo(absPath, ctx.cwdPrefix),
    absPath,
    function: fn === '' ? UNKNOWN : fn,
    inApp: isInApp(absPath, where.lineno !== undefined, ctx),
  };
  if (where.lineno !== undefined) frame.lineno = where.lineno;
  if (where.colno !== undefined) frame.colno = where.colno;
  return frame;
}

/** Index of the `(` matching the final `)`, so paths like `/x (copy)/a.js` survive. -1 if none. */
function matchingOpen(text: string): number {
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    if (c === 41) depth++;
    else if (c === 40 && --depth === 0) return i;
  }
  return -1;
}

interface Location {
  path: string;
  lineno?: number;
  colno?: number;
}

function parseLocation(loc: string): Location {
  const last = trailingNumber(loc, loc.length);
  let path = loc;
  let lineno: number | undefined;
  let colno: number | undefined;
  if (last) {
    const prev = trailingNumber(loc, last.start);
    if (prev) {
      path = loc.slice(0, prev.start);
      lineno = prev.value;
      colno = last.value;
    } else {
      path = loc.slice(0, last.start);
      lineno = last.value;
    }
  }
  if (path.startsWith('file://')) path = fromFileUrl(path);
  if (path === '') path = UNKNOWN;
  return { path, lineno, colno };
}

/** `:123` ending at `end`: its value and the index of the colon. */
function trailingNumber(s: string, end: number): { value: number; start: number } | undefined {
  let i = end;
  while (i > 0 && end - i < 10) {
    const c = s.charCodeAt(i - 1);
    if (c < 48 || c > 57) break;
    i--;
  }
  if (i === end || i === 0 || s.charCodeAt(i - 1) !== 58) return undefined;
  return { value: Number(s.slice(i, end)), start: i - 1 };
}

function fromFileUrl(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    try {
      return decodeURIComponent(url.slice(7));
    } catch {
      return url.slice(7);
    }
  }
}

function isInApp(absPath: string, hasLine: boolean, ctx: Ctx): boolean {
  for (const s of ctx.include) if (absPath.includes(s)) return true;
  for (const s of ctx.exclude) if (absPath.includes(s)) return false;
  if (!hasLine || absPath.startsWith('node:') || absPath.startsWith('internal/')) return false;
  if (absPath.includes('/node_modules/') || absPath.includes('\\node_modules\\')) return false;
  return !absPath.includes(UNKNOWN);
}

function relativeTo(absPath: string, prefix: string | undefined): string {
  if (prefix !== undefined && absPath.length > prefix.length && absPath.startsWith(prefix)) {
    return absPath.slice(prefix.length);
  }
  return absPath;
}

/** `cwd` with one trailing separator, or undefined when it cannot be known. */
function cwdPrefix(cwd: string | undefined): string | undefined {
  let dir = cwd;
  if (typeof dir !== 'string') {
    try {
      dir = process.cwd();
    } catch {
      // The working directory was deleted; filenames simply stay absolute.
      return undefined;
    }
  }
  if (dir === '') return undefined;
  const last = dir[dir.length - 1];
  if (last === '/' || last === '\\') return dir;
  return dir + (dir.includes('\\') && !dir.includes('/') ? '\\' : '/');
}

function nonEmpty(list: readonly string[] | undefined): readonly string[] {
  if (!Array.isArray(list) || list.length === 0) return [];
  return list.filter((s): s is string => typeof s === 'string' && s !== '');
}
