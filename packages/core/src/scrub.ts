/**
 * Privacy scrubbing of strings, keys, URLs and headers (DESIGN.md rule 4). `normalize.ts` applies
 * these while it walks structured data; they are also used directly on messages and paths.
 */

/** What every redacted value (or redacted part of a string) becomes. */
export const FILTERED = '[Filtered]';

// ── keys ───────────────────────────────────────────────────────────────────────────────────

/**
 * Matched anywhere in the key after lower-casing and removing everything but letters and digits,
 * so `userPassword`, `X-Auth-Token`, `api_key`, `set-cookie`, `x-allstak-key` all match.
 * Beyond the documented list: `passphrase`, `cvc`, `credential`.
 */
const SENSITIVE_SUBSTRINGS = [
  'password',
  'passwd',
  'passphrase',
  'pwd',
  'secret',
  'token',
  'apikey',
  'authorization',
  'cookie',
  'session',
  'creditcard',
  'cardnumber',
  'cvv',
  'cvc',
  'privatekey',
  'credential',
  'xallstakkey',
];
/** Matched only as whole words (camelCase or separator boundaries): `auth` is inside `author`, `ssn` inside `className`. */
const SENSITIVE_WORDS = ['auth', 'ssn'];
const WORD = /[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g;
const keyCache = new Map<string, boolean>();
const KEY_CACHE_MAX = 1000;

/**
 * True when a key names a secret. Case-insensitive; substring match (ignoring separators) of
 * password, passwd, passphrase, pwd, secret, token, api_key / apikey / api-key, authorization,
 * cookie / set-cookie, session / sessionid, credit_card, card_number, cvv, cvc, private_key,
 * credential, x-allstak-key, x-api-key; whole-word match of `auth` and `ssn`.
 *
 * @example
 * isSensitiveKey('X-Auth-Token'); // true
 * isSensitiveKey('author');       // false
 */
export function isSensitiveKey(key: string): boolean {
  if (typeof key !== 'string') return false;
  const cached = keyCache.get(key);
  if (cached !== undefined) return cached;
  const result = sensitive(key.length > 1024 ? key.slice(0, 1024) : key);
  if (key.length <= 128) {
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(key, result);
  }
  return result;
}

function sensitive(key: string): boolean {
  const lower = key.toLowerCase();
  const compact = lower.replace(/[^a-z0-9]+/g, '');
  for (const s of SENSITIVE_SUBSTRINGS) if (compact.includes(s)) return true;
  for (const w of SENSITIVE_WORDS) {
    if (!lower.includes(w)) continue;
    for (const m of key.match(WORD) ?? []) if (m.toLowerCase() === w) return true;
  }
  return false;
}

// ── strings ────────────────────────────────────────────────────────────────────────────────

const AUTH_HINT = /b(?:earer|asic)[ \t]/i;
const AUTH = /(?<![A-Za-z0-9])(bearer|basic)([ \t]+)([A-Za-z0-9._~+/-]+=*)/gi;
const JWT = /(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*/g;
const SSN = /(?<![A-Za-z0-9_-])(\d{3})-(\d{2})-(\d{4})(?![A-Za-z0-9_-])/g;
const NI =
  /(?<![A-Za-z0-9])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?\d{2} ?\d{2} ?\d{2} ?[A-D](?![A-Za-z0-9])/gi;
const NI_BAD_PREFIXES = new Set(['BG', 'GB', 'KN', 'NK', 'NT', 'TN', 'ZZ']);

/**
 * Redacts PII inside a string; each match becomes `[Filtered]`:
 * - values of secret keys written as `key=value`, `"key": "value"` or `key: 'value'` (query
 *   strings, logfmt, JSON, `util.inspect` output; see {@link isSensitiveKey});
 * - `Bearer <token>` / `Basic <base64>` credentials (the scheme word is kept);
 * - JWT-looking tokens (`eyJ….….…`);
 * - email addresses, also URL-encoded (`a%40b.com`);
 * - US SSNs `123-45-6789` (valid area/group/serial only), UK NI numbers `AB123456C` / `AB 12 34 56 C`;
 * - payment cards: 13–19 digits, optionally grouped by single spaces or dashes, first digit 2–6
 *   (no card network starts with 0, 1, 7, 8 or 9 — so epoch-millisecond timestamps never match),
 *   passing Luhn, not glued to letters.
 * Order ids, UUIDs, ISO timestamps, short phone numbers and Luhn failures are kept. Strings that
 * cannot hold any of these (checked in one pass over the characters) come back as the same string.
 *
 * @example
 * scrubString('mail a@b.com, card 4111 1111 1111 1111'); // 'mail [Filtered], card [Filtered]'
 */
export function scrubString(s: string): string {
  if (typeof s !== 'string' || s.length < 5) return s;
  try {
    return scrub(s);
  } catch {
    return FILTERED;
  }
}

function scrub(s: string): string {
  let digits = 0;
  let at = false;
  let kv = false;
  let dash = false;
  let space = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 64 || c === 37) at = true;
    else if (c === 61 || c === 58) kv = true;
    else if (c === 45) dash = true;
    else if (c === 32 || c === 9) space = true;
  }
  let out = s;
  if (kv) out = scrubKeyValues(out);
  if (space && out.length >= 12 && AUTH_HINT.test(out)) out = out.replace(AUTH, authReplacer);
  if (out.includes('eyJ')) out = out.replace(JWT, FILTERED);
  if (at) out = scrubEmails(out);
  if (digits >= 9 && dash) out = out.replace(SSN, ssnReplacer);
  if (digits >= 6) out = out.replace(NI, niReplacer);
  if (digits >= 13) out = scrubCards(out);
  return out;
}

function authReplacer(match: string, scheme: string, ws: string, token: string): string {
  let credential: boolean;
  if (scheme.length === 5) {
    // "Basic" is an English word: only base64 that does not read like one ("Basic Settings").
    credential =
      token.length >= 8 &&
      token.length % 4 === 0 &&
      /^[A-Za-z0-9+/]+=*$/.test(token) &&
      (/[0-9+/=]/.test(token) || (/[a-z]/.test(token) && /[A-Z]/.test(token.slice(1))));
  } else {
    credential = token.length >= 6 && (token.length >= 20 || /[^a-z]/.test(token));
  }
  return credential ? scheme + ws + FILTERED : match;
}

function ssnReplacer(match: string, area: string, group: string, serial: string): string {
  const valid = area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
  return valid ? FILTERED : match;
}

function niReplacer(match: string, prefix: string): string {
  return NI_BAD_PREFIXES.has(prefix.toUpperCase()) ? match : FILTERED;
}

function isKeyChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 95 ||
    c === 45 ||
    c === 46 ||
    c === 91 ||
    c === 93
  );
}

function isValueEnd(c: number): boolean {
  return (
    c <= 32 ||
    c === 38 ||
    c === 59 ||
    c === 44 ||
    c === 35 ||
    c === 34 ||
    c === 39 ||
    c === 41 ||
    c === 93 ||
    c === 125 ||
    c === 123 ||
    c === 60 ||
    c === 62
  );
}

/**
 * `key=value` needs no spaces around `=` unless the value is quoted (`SET password = 'x'`);
 * `key: value` needs a quoted key or value, so messages like "Invalid token: expired" survive.
 */
function scrubKeyValues(s: string): string {
  const n = s.length;
  let out = '';
  let last = 0;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c !== 61 && c !== 58) continue;
    if (s.charCodeAt(i + 1) === c) {
      i++;
      continue;
    }
    let k = i;
    while (k > last && i - k < 8 && s.charCodeAt(k - 1) === 32) k--;
    const spaced = k < i;
    const kq = s.charCodeAt(k - 1);
    const quotedKey = kq === 34 || kq === 39;
    const keyEnd = quotedKey ? k - 1 : k;
    let keyStart = keyEnd;
    while (keyStart > last && keyEnd - keyStart < 64 && isKeyChar(s.charCodeAt(keyStart - 1))) keyStart--;
    if (keyStart === keyEnd) continue;
    if (quotedKey ? s.charCodeAt(keyStart - 1) !== kq : keyStart > 0 && isKeyChar(s.charCodeAt(keyStart - 1)))
      continue;
    let v = i + 1;
    while (v < n && v - i <= 8 && s.charCodeAt(v) === 32) v++;
    const vq = s.charCodeAt(v);
    const quotedValue = vq === 34 || vq === 39 || vq === 96;
    if (c === 61 ? (spaced || v > i + 1) && !quotedValue : !quotedKey && !quotedValue) continue;
    if (!isSensitiveKey(s.slice(keyStart, keyEnd))) continue;
    let end = v;
    if (quotedValue) {
      end = v + 1;
      while (end < n && s.charCodeAt(end) !== vq) end += s.charCodeAt(end) === 92 ? 2 : 1;
      end = Math.min(n, end + 1);
    } else {
      while (end < n && !isValueEnd(s.charCodeAt(end))) end++;
    }
    if (end === v || s.startsWith(FILTERED, quotedValue ? v + 1 : v)) continue;
    const closed = quotedValue && end - v >= 2 && s.charCodeAt(end - 1) === vq;
    out += s.slice(last, v) + (closed ? s[v] + FILTERED + s[v] : FILTERED);
    last = end;
    i = end - 1;
  }
  return last === 0 ? s : out + s.slice(last);
}

/** RFC 5322 atext minus the characters that usually delimit text (`/ = ? ' \` { | }`). */
function isLocalChar(c: number): boolean {
  return (
    (c >= 97 && c <= 122) ||
    (c >= 65 && c <= 90) ||
    (c >= 48 && c <= 57) ||
    c === 46 || // .
    c === 95 || // _
    c === 37 || // %
    c === 43 || // +
    c === 45 || // -
    c === 33 || // !
    c === 35 || // #
    c === 36 || // $
    c === 38 || // &
    c === 42 || // *
    c === 94 || // ^
    c === 126 // ~
  );
}

function isDomainChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 46 || c === 45;
}

function isLetter(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}

/** Emails by expanding around each `@` / `%40` a bounded distance: linear, unlike a regex. */
function scrubEmails(s: string): string {
  const n = s.length;
  let out = '';
  let last = 0;
  let i = 0;
  while (i < n) {
    const c = s.charCodeAt(i);
    const atLen = c === 64 ? 1 : c === 37 && s.charCodeAt(i + 1) === 52 && s.charCodeAt(i + 2) === 48 ? 3 : 0;
    if (atLen === 0) {
      i++;
      continue;
    }
    let start = i;
    while (start > last && i - start < 64 && isLocalChar(s.charCodeAt(start - 1))) start--;
    const domStart = i + atLen;
    // The domain ends after the last `.` + 2 or more letters: `a@b.com.` or `a@b.com2` end at `m`.
    let end = -1;
    let letters = 0;
    for (let j = domStart; j < n && j - domStart < 255; j++) {
      const d = s.charCodeAt(j);
      if (!isDomainChar(d)) break;
      letters = isLetter(d) ? letters + 1 : 0;
      if (
        letters >= 2 &&
        !isLetter(s.charCodeAt(j + 1)) &&
        j - letters > domStart &&
        s.charCodeAt(j - letters) === 46
      ) {
        end = j + 1;
      }
    }
    if (start < i && end !== -1) {
      out += s.slice(last, start) + FILTERED;
      last = end;
      i = end;
    } else {
      i += atLen;
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

function isDigit(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return c >= 48 && c <= 57;
}

function isWordChar(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  return (c >= 48 && c <= 57) || isLetter(c) || c === 95;
}

/**
 * A run is digit groups joined by single spaces or dashes. Any window of whole groups holding
 * 13–19 digits may be a card (so "4111 1111 1111 1111 2024" still loses its card).
 */
function scrubCards(s: string): string {
  const n = s.length;
  let out = '';
  let last = 0;
  let i = 0;
  const groups: number[] = [];
  while (i < n) {
    if (!isDigit(s, i)) {
      i++;
      continue;
    }
    const runStart = i;
    groups.length = 0;
    for (;;) {
      const g = i;
      while (i < n && isDigit(s, i)) i++;
      groups.push(g, i);
      const sep = s.charCodeAt(i);
      if ((sep === 32 || sep === 45) && isDigit(s, i + 1)) i++;
      else break;
    }
    // A group glued to letters (hex ids, UUID parts) or to a decimal point is not card material.
    const gluedStart =
      runStart > 0 &&
      (isWordChar(s, runStart - 1) || (s.charCodeAt(runStart - 1) === 46 && isDigit(s, runStart - 2)));
    const gluedEnd = isWordChar(s, i) || (s.charCodeAt(i) === 46 && isDigit(s, i + 1));
    const count = groups.length / 2 - (gluedEnd ? 1 : 0);
    for (let a = gluedStart ? 1 : 0; a < count; ) {
      const from = groups[2 * a] as number;
      let best = -1;
      let total = 0;
      for (let b = a; b < count; b++) {
        const size = (groups[2 * b + 1] as number) - (groups[2 * b] as number);
        total += size;
        if (total > 19) break;
        if (total >= 13 && isCard(s, from, groups[2 * b + 1] as number)) best = b;
        // Printed cards group as 4-4-4-4(-3), 4-6-5 or 4-6-4: any other grouping is some other
        // number, and random digit groups would pass Luhn one time in ten.
        if (b === a ? size !== 4 : size < 4 || size > 6) break;
      }
      if (best === -1) {
        a++;
        continue;
      }
      out += s.slice(last, from) + FILTERED;
      last = groups[2 * best + 1] as number;
      a = best + 1;
    }
  }
  return last === 0 ? s : out + s.slice(last);
}

function isCard(s: string, from: number, to: number): boolean {
  const first = s.charCodeAt(from);
  if (first < 50 || first > 54) return false;
  let sum = 0;
  let double = false;
  for (let i = to - 1; i >= from; i--) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) continue;
    let d = c - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

// ── URLs and headers ─────────────────────────────────────────────────────────────────────────

/**
 * Scrubs a URL or `path?query#fragment`: values of sensitive query keys become `[Filtered]`,
 * other values (also percent-decoded) go through {@link scrubString}; a password in the userinfo
 * is filtered, and a userinfo without a password (often a token, `https://ghp_x@github.com`) is
 * filtered whole. Never throws.
 *
 * @example
 * scrubUrl('/cb?code=1&access_token=abc'); // '/cb?code=1&access_token=[Filtered]'
 */
export function scrubUrl(url: string): string {
  try {
    if (typeof url !== 'string') url = String(url);
    const hash = url.indexOf('#');
    const main = hash === -1 ? url : url.slice(0, hash);
    const q = main.indexOf('?');
    let out = scrubBase(q === -1 ? main : main.slice(0, q));
    if (q !== -1) out += '?' + scrubQuery(main.slice(q + 1));
    if (hash !== -1) {
      const frag = url.slice(hash + 1);
      out += '#' + (frag.includes('=') ? scrubQuery(frag) : scrubComponent(frag, false));
    }
    return out;
  } catch {
    return FILTERED;
  }
}

const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//;

function scrubBase(base: string): string {
  const scheme = SCHEME.exec(base);
  if (!scheme) return scrubComponent(base, false);
  const from = scheme[0].length;
  let slash = base.indexOf('/', from);
  if (slash === -1) slash = base.length;
  const authority = base.slice(from, slash);
  const at = authority.lastIndexOf('@');
  let prefix = base.slice(0, slash);
  if (at !== -1) {
    const userinfo = authority.slice(0, at);
    const colon = userinfo.indexOf(':');
    const kept = colon === -1 ? FILTERED : scrubComponent(userinfo.slice(0, colon), true) + ':' + FILTERED;
    prefix = base.slice(0, from) + kept + authority.slice(at);
  }
  return prefix + scrubComponent(base.slice(slash), false);
}

function scrubQuery(query: string): string {
  const parts = query.split('&');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i] as string;
    const eq = part.indexOf('=');
    if (eq === -1) {
      parts[i] = scrubComponent(part, true);
      continue;
    }
    const rawKey = part.slice(0, eq);
    parts[i] = isSensitiveKey(decode(rawKey))
      ? rawKey + '=' + FILTERED
      : rawKey + '=' + scrubComponent(part.slice(eq + 1), true);
  }
  return parts.join('&');
}

/** scrubString on the raw text, and on the decoded text when the encoding hides PII. */
function scrubComponent(raw: string, component: boolean): string {
  const scrubbed = scrubString(raw);
  if (scrubbed !== raw || (!raw.includes('%') && !(component && raw.includes('+')))) return scrubbed;
  const decoded = decode(component ? raw.replace(/\+/g, ' ') : raw);
  const clean = scrubString(decoded);
  if (clean === decoded) return raw;
  return (component ? encodeURIComponent(clean) : encodeURI(clean)).replace(/%5BFiltered%5D/g, FILTERED);
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Client IP addresses are personal data too; they are only sent with `sendDefaultPii`. */
const IP_HEADERS = new Set([
  'x-forwarded-for',
  'x-real-ip',
  'forwarded',
  'cf-connecting-ip',
  'true-client-ip',
  'x-client-ip',
]);
const URL_HEADERS = new Set(['referer', 'referrer', 'location', 'content-location', 'origin']);

/**
 * Scrubs a headers object into `name → string` (arrays joined with `, `, undefined dropped):
 * sensitive names (see {@link isSensitiveKey}: `authorization`, `cookie`, `set-cookie`,
 * `x-api-key`, `x-allstak-key`, …) and client-IP headers (`x-forwarded-for`, `x-real-ip`,
 * `forwarded`, …) become `[Filtered]`; URL headers (`referer`, `location`) go through
 * {@link scrubUrl}, the rest through {@link scrubString}. Never throws.
 *
 * @example
 * scrubHeaders({ authorization: 'Bearer x', accept: 'text/html' }); // { authorization: '[Filtered]', accept: 'text/html' }
 */
export function scrubHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    for (const name of Object.keys(headers)) {
      const raw: unknown = headers[name];
      if (raw === undefined) continue;
      const value = Array.isArray(raw) ? raw.map(String).join(', ') : String(raw);
      const lower = name.toLowerCase();
      let clean: string;
      if (isSensitiveKey(name) || IP_HEADERS.has(lower)) clean = FILTERED;
      else if (URL_HEADERS.has(lower)) clean = scrubUrl(value);
      else clean = scrubString(value);
      if (name === '__proto__') continue;
      out[name] = clean;
    }
  } catch {
    // A hostile headers object (throwing getters, proxies) yields what was read so far.
  }
  return out;
}
