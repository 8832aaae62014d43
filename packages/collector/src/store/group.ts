import type { WireErrorEvent } from '@sightline/core/wire';

const MAX_KEY = 500;
const DIGITS = /\d+/g;

/**
 * The key errors are grouped by, as an issue list would group them:
 * 1. an explicit `fingerprint` (unless it asks for the default grouping),
 * 2. else the exception class plus the innermost in-app frame's function and file (no line
 *    number, so a group survives edits above the throw),
 * 3. else the exception class plus the message with numbers blanked, so `user 1` and `user 2`
 *    land together.
 */
export function groupKey(e: WireErrorEvent): string {
  const fp = e.fingerprint;
  if (fp && fp.length > 0 && !fp.includes('{{ default }}')) return cap(`fp:${fp.join(' ')}`);
  const frames = e.frames;
  if (frames) {
    for (let i = frames.length - 1; i >= 0; i--) {
      const f = frames[i]!;
      if (f.inApp) return cap(`${e.exceptionClass}|${f.function}@${f.filename}`);
    }
  }
  return cap(`${e.exceptionClass}|${e.message.slice(0, MAX_KEY).replace(DIGITS, '?')}`);
}

function cap(s: string): string {
  return s.length > MAX_KEY ? s.slice(0, MAX_KEY) : s;
}
