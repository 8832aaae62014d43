import { createHash } from 'node:crypto';

export type QueryType =
  | 'SELECT'
  | 'INSERT'
  | 'UPDATE'
  | 'DELETE'
  | 'CREATE'
  | 'DROP'
  | 'ALTER'
  | 'BEGIN'
  | 'COMMIT'
  | 'ROLLBACK'
  | 'OTHER';

/** Longer statements are cut before normalizing; whatever literal is cut open becomes `?`. */
const MAX_QUERY_LENGTH = 64 * 1024;

/** After these a `-` directly before a number is a sign, folded into the `?`. */
const SIGN_AFTER = new Set(['', '(', ',', '=', '<', '>', '!', '+', '-', '*', '/', '%', '|', '&', '^', '[']);
const SIGN_AFTER_WORDS = new Set([
  'SELECT',
  'WHERE',
  'AND',
  'OR',
  'NOT',
  'BETWEEN',
  'VALUES',
  'THEN',
  'ELSE',
  'WHEN',
  'LIMIT',
  'OFFSET',
  'IN',
  'IS',
  'LIKE',
  'SET',
  'ON',
  'RETURN',
  'CASE',
  'BY',
  'HAVING',
]);

interface Group {
  /** Index of the `(` token. */
  open: number;
  onlyPlaceholders: boolean;
  hasPlaceholder: boolean;
  valuesRow: boolean;
  inList: boolean;
}

/**
 * Normalizes SQL for grouping: literals become `?` — single-quoted strings (`''` and backslash
 * escapes, `N'…'`/`E'…'`/`X'…'`/`B'…'` prefixes), numbers (with a leading sign), hex, Postgres
 * dollar-quoted strings; `$1` and `:name` parameters become `?`; `IN (?, ?, ?)` collapses to
 * `IN (?)` and repeated identical `VALUES` rows to one; `--` and block comments are stripped;
 * whitespace runs become one space; the result is trimmed. Identifiers (`t1`, `"Col 2"`,
 * `` `x` ``), `TRUE`/`FALSE`/`NULL` and casts (`::int`) are kept. One linear pass over at most
 * 64 KiB of input.
 *
 * @example
 * normalizeQuery("SELECT * FROM t1 WHERE id IN (1, 2, 3) AND name = 'bob' -- hi"); // 'SELECT * FROM t1 WHERE id IN (?) AND name = ?'
 */
export function normalizeQuery(sql: string): string {
  let s: string;
  try {
    s = typeof sql === 'string' ? sql : String(sql);
  } catch {
    return '';
  }
  if (s.length > MAX_QUERY_LENGTH) s = s.slice(0, MAX_QUERY_LENGTH);
  const n = s.length;
  const tokens: string[] = [];
  const groups: Group[] = [];
  let space = false;
  let valuesRun: { text: string; end: number } | undefined;

  const push = (tok: string, kind: 'ph' | 'comma' | 'other') => {
    if (space && tokens.length > 0 && tokens[tokens.length - 1] !== ' ') tokens.push(' ');
    space = false;
    const g = groups[groups.length - 1];
    if (g) {
      if (kind === 'ph') g.hasPlaceholder = true;
      else if (kind === 'other') g.onlyPlaceholders = false;
    }
    tokens.push(tok);
  };

  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isSpace(c)) {
      space = true;
      i++;
    } else if (c === 45 && s.charCodeAt(i + 1) === 45) {
      const eol = s.indexOf('\n', i + 2);
      i = eol === -1 ? n : eol + 1;
      space = true;
    } else if (c === 47 && s.charCodeAt(i + 1) === 42) {
      const close = s.indexOf('*/', i + 2);
      i = close === -1 ? n : close + 2;
      space = true;
    } else if (c === 39) {
      i = skipString(s, i);
      push('?', 'ph');
    } else if (c === 34 || c === 96) {
      const end = skipQuoted(s, i, c);
      const closed = end > i + 1 && s.charCodeAt(end - 1) === c;
      if (!closed || (c === 34 && isDoubleQuotedValue(tokens, groups, s.charCodeAt(end)))) push('?', 'ph');
      else push(s.slice(i, end), 'other');
      i = end;
    } else if (c === 36) {
      i = dollar(s, i, push);
    } else if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(i + 1)))) {
      const end = numberEnd(s, i);
      if (isIdentPart(s.charCodeAt(end))) {
        // MySQL allows identifiers that start with digits (`1st_table`).
        const id = identEnd(s, end);
        push(s.slice(i, id), 'other');
        i = id;
      } else {
        push('?', 'ph');
        i = end;
      }
    } else if (c === 45 && isNumberStart(s, i + 1) && signContext(tokens)) {
      i++; // the sign of a literal: dropped so `x = -5` and `x = 5` normalize alike
    } else if (isIdentStart(c)) {
      const end = identEnd(s, i);
      const q = s.charCodeAt(end);
      if (q === 39 && end - i === 1 && 'NnEeXxBb'.includes(s[i] as string)) {
        i = skipString(s, end);
        push('?', 'ph');
      } else if (q === 38 && end - i === 1 && (c === 85 || c === 117) && s.charCodeAt(end + 1) === 39) {
        i = skipString(s, end + 1); // U&'…'
        push('?', 'ph');
      } else {
        push(s.slice(i, end), 'other');
        i = end;
      }
    } else if (c === 58) {
      if (s.charCodeAt(i + 1) === 58) {
        push('::', 'other');
        i += 2;
      } else if (isIdentStart(s.charCodeAt(i + 1))) {
        i = identEnd(s, i + 1);
        push('?', 'ph');
      } else {
        push(':', 'other');
        i++;
      }
    } else if (c === 63) {
      push('?', 'ph');
      i++;
    } else if (c === 44) {
      push(',', 'comma');
      i++;
    } else if (c === 40) {
      const before = prevWord(tokens, tokens.length);
      const valuesRow = before === 'VALUES' || continuesRun(tokens, valuesRun?.end, tokens.length);
      push('(', 'other');
      groups.push({
        open: tokens.length - 1,
        onlyPlaceholders: true,
        hasPlaceholder: false,
        valuesRow,
        inList: before === 'IN',
      });
      i++;
    } else if (c === 41) {
      i++;
      const g = groups.pop();
      push(')', 'other');
      if (!g) continue;
      if (g.onlyPlaceholders && g.hasPlaceholder && prevWord(tokens, g.open) === 'IN') {
        tokens.length = g.open + 1;
        tokens.push('?', ')');
      }
      if (g.valuesRow) {
        // Rows are compared without spaces: `(?,?)` and `(?, ?)` are the same shape.
        let text = '';
        for (let k = g.open; k < tokens.length; k++) if (tokens[k] !== ' ') text += tokens[k];
        if (valuesRun && valuesRun.text === text && continuesRun(tokens, valuesRun.end, g.open)) {
          tokens.length = valuesRun.end;
        } else {
          valuesRun = { text, end: tokens.length };
        }
      }
    } else {
      push(s[i] as string, 'other');
      i++;
    }
  }
  return tokens.join('');
}

/**
 * A stable fingerprint of a normalized query: the first 16 lowercase hex characters (64 bits) of
 * the SHA-256 of its UTF-8 bytes. This definition must never change, or dashboards split.
 *
 * @example
 * queryHash('SELECT ?'); // 16 hex characters, the same in every version
 */
export function queryHash(normalized: string): string {
  return createHash('sha256').update(String(normalized), 'utf8').digest('hex').slice(0, 16);
}

/**
 * The statement's kind from its first keyword after whitespace, comments and `(`. `WITH …` is
 * typed by the statement after its CTEs; `START TRANSACTION` is `BEGIN`; anything else `OTHER`.
 *
 * @example
 * queryType('WITH x AS (SELECT 1) DELETE FROM t'); // 'DELETE'
 */
export function queryType(sql: string): QueryType {
  try {
    let s = typeof sql === 'string' ? sql : String(sql);
    if (s.length > MAX_QUERY_LENGTH) s = s.slice(0, MAX_QUERY_LENGTH);
    let i = skipNoise(s, 0, true);
    let word = s.slice(i, identEnd(s, i)).toUpperCase();
    switch (word) {
      case 'SELECT':
      case 'INSERT':
      case 'UPDATE':
      case 'DELETE':
      case 'CREATE':
      case 'DROP':
      case 'ALTER':
      case 'BEGIN':
      case 'COMMIT':
      case 'ROLLBACK':
        return word;
      case 'START':
        i = skipNoise(s, i + 5, false);
        return s.slice(i, identEnd(s, i)).toUpperCase() === 'TRANSACTION' ? 'BEGIN' : 'OTHER';
      case 'WITH':
        break;
      default:
        return 'OTHER';
    }
    // The main statement is the first of these keywords outside every CTE's parentheses.
    let depth = 0;
    i += 4;
    while (i < s.length) {
      i = skipNoise(s, i, false);
      const c = s.charCodeAt(i);
      if (c === 40) depth++;
      else if (c === 41) depth--;
      else if (c === 39) {
        i = skipString(s, i);
        continue;
      } else if (c === 34 || c === 96) {
        i = skipQuoted(s, i, c);
        continue;
      } else if (isIdentStart(c)) {
        const end = identEnd(s, i);
        word = s.slice(i, end).toUpperCase();
        if (depth <= 0 && (word === 'SELECT' || word === 'INSERT' || word === 'UPDATE' || word === 'DELETE'))
          return word;
        i = end;
        continue;
      }
      i++;
    }
  } catch {
    // Falls through: an odd query is still a query.
  }
  return 'OTHER';
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** ASCII controls and space, plus every Unicode space separator JavaScript's `\s` knows. */
function isSpace(c: number): boolean {
  return (
    c <= 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 0x80 && !isSpace(c));
}

function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === 36;
}

function identEnd(s: string, i: number): number {
  while (i < s.length && isIdentPart(s.charCodeAt(i))) i++;
  return i;
}

function isNumberStart(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return isDigit(c) || (c === 46 && isDigit(s.charCodeAt(i + 1)));
}

/**
 * `"…"` is an identifier in standard SQL but a string in MySQL (`WHERE email = "a@b.com"`). It
 * is taken for a value after a comparison operator or `LIKE`, or directly in a `VALUES` row or
 * `IN` list, unless a `.` follows (`"t"."col"`).
 */
function isDoubleQuotedValue(tokens: string[], groups: Group[], next: number): boolean {
  if (next === 46) return false;
  let k = tokens.length - 1;
  if (tokens[k] === ' ') k--;
  const prev = k >= 0 ? (tokens[k] as string) : '';
  if (prev === '=' || prev === '<' || prev === '>') return true;
  const upper = prev.toUpperCase();
  if (upper === 'LIKE' || upper === 'ILIKE') return true;
  const g = groups[groups.length - 1];
  return g !== undefined && (g.valuesRow || g.inList) && (prev === '(' || prev === ',');
}

/** Whether a `-` here is a sign rather than a subtraction: it follows an operator or keyword. */
function signContext(tokens: string[]): boolean {
  let k = tokens.length - 1;
  if (tokens[k] === ' ') k--;
  const prev = k >= 0 ? (tokens[k] as string) : '';
  return SIGN_AFTER.has(prev) || SIGN_AFTER_WORDS.has(prev.toUpperCase());
}

/** Index just past a number: digits, fraction, exponent, or `0x…` hex. */
function numberEnd(s: string, i: number): number {
  const n = s.length;
  if (s.charCodeAt(i) === 48 && (s.charCodeAt(i + 1) | 32) === 120) {
    let j = i + 2;
    while (j < n && /[0-9a-fA-F]/.test(s[j] as string)) j++;
    if (j > i + 2) return j;
  }
  while (i < n && isDigit(s.charCodeAt(i))) i++;
  if (s.charCodeAt(i) === 46) {
    i++;
    while (i < n && isDigit(s.charCodeAt(i))) i++;
  }
  if ((s.charCodeAt(i) | 32) === 101) {
    let j = i + 1;
    const sign = s.charCodeAt(j);
    if (sign === 43 || sign === 45) j++;
    if (isDigit(s.charCodeAt(j))) {
      i = j;
      while (i < n && isDigit(s.charCodeAt(i))) i++;
    }
  }
  return i;
}

/** Index just past a `'…'` string that opens at `i`; an unterminated one runs to the end. */
function skipString(s: string, i: number): number {
  const n = s.length;
  let j = i + 1;
  while (j < n) {
    const c = s.charCodeAt(j);
    if (c === 92) j += 2;
    else if (c === 39) {
      if (s.charCodeAt(j + 1) !== 39) return j + 1;
      j += 2;
    } else j++;
  }
  return n;
}

function skipQuoted(s: string, i: number, q: number): number {
  let j = i + 1;
  while (j < s.length) {
    if (s.charCodeAt(j) === q) {
      if (s.charCodeAt(j + 1) !== q) return j + 1;
      j += 2;
    } else j++;
  }
  return s.length;
}

/** `$1` parameters and `$tag$…$tag$` strings become `?`; any other `$` is kept. */
function dollar(s: string, i: number, push: (tok: string, kind: 'ph' | 'other') => void): number {
  let j = i + 1;
  if (isDigit(s.charCodeAt(j))) {
    while (isDigit(s.charCodeAt(j))) j++;
    push('?', 'ph');
    return j;
  }
  if (isIdentStart(s.charCodeAt(j))) {
    while (j < s.length && (isIdentStart(s.charCodeAt(j)) || isDigit(s.charCodeAt(j)))) j++;
  }
  if (s.charCodeAt(j) === 36) {
    const tag = s.slice(i, j + 1);
    const close = s.indexOf(tag, j + 1);
    push('?', 'ph');
    return close === -1 ? s.length : close + tag.length;
  }
  push('$', 'other');
  return i + 1;
}

function skipNoise(s: string, i: number, parens: boolean): number {
  const n = s.length;
  while (i < n) {
    const c = s.charCodeAt(i);
    if (isSpace(c) || (parens && c === 40)) i++;
    else if (c === 45 && s.charCodeAt(i + 1) === 45) {
      const eol = s.indexOf('\n', i + 2);
      i = eol === -1 ? n : eol + 1;
    } else if (c === 47 && s.charCodeAt(i + 1) === 42) {
      const close = s.indexOf('*/', i + 2);
      i = close === -1 ? n : close + 2;
    } else break;
  }
  return i;
}

/** The word token before index `at` (skipping one space), upper-cased, or ''. */
function prevWord(tokens: string[], at: number): string {
  let k = at - 1;
  if (tokens[k] === ' ') k--;
  const t = k >= 0 ? (tokens[k] as string) : '';
  return isIdentStart(t.charCodeAt(0)) ? t.toUpperCase() : '';
}

/** True when tokens `[end, upto)` are one `,` and spaces: the next row of a VALUES list. */
function continuesRun(tokens: string[], end: number | undefined, upto: number): boolean {
  if (end === undefined || upto - end > 3 || upto <= end) return false;
  let commas = 0;
  for (let k = end; k < upto; k++) {
    if (tokens[k] === ',') commas++;
    else if (tokens[k] !== ' ') return false;
  }
  return commas === 1;
}
