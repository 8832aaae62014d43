import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  FILTERED,
  isSensitiveKey,
  normalize,
  normalizeRecord,
  scrubHeaders,
  scrubString,
  scrubUrl,
} from '../src/normalize.js';

const SCRUB = { scrub: true };
const RAW = { scrub: false };

/** Only what JSON can carry, with no loss: null, booleans, finite numbers, strings, arrays, plain objects. */
function isJsonSafe(v: unknown, depth = 0): boolean {
  if (depth > 100) return false;
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((x) => isJsonSafe(x, depth + 1));
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return false;
    return Object.values(v).every((x) => isJsonSafe(x, depth + 1));
  }
  return false;
}

/** Depth of nested containers, widest container and longest string or key. */
function measure(v: unknown): { depth: number; breadth: number; str: number } {
  if (typeof v === 'string') return { depth: 0, breadth: 0, str: v.length };
  if (v === null || typeof v !== 'object') return { depth: 0, breadth: 0, str: 0 };
  const entries = Array.isArray(v) ? v.map((x) => ['', x] as const) : Object.entries(v);
  const m = { depth: 1, breadth: entries.length, str: 0 };
  for (const [k, x] of entries) {
    const c = measure(x);
    m.depth = Math.max(m.depth, c.depth + 1);
    m.breadth = Math.max(m.breadth, c.breadth);
    m.str = Math.max(m.str, c.str, k.length);
  }
  return m;
}

describe('normalize: values', () => {
  it('maps primitives and special values', () => {
    const sym = Symbol('tag');
    const cases: Array<[unknown, unknown]> = [
      ['text', 'text'],
      [42, 42],
      [-0.5, -0.5],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [Number.NEGATIVE_INFINITY, '-Infinity'],
      [12345678901234567890n, '12345678901234567890'],
      [sym, 'Symbol(tag)'],
      [function named() {}, '[Function: named]'],
      [() => 1, '[Function: <anonymous>]'],
      [class Widget {}, '[Function: Widget]'],
      [true, true],
      [null, null],
      [undefined, undefined],
      [new Date(Date.UTC(2026, 10, 23, 12)), '2026-11-23T12:00:00.000Z'],
      [new Date(Number.NaN), 'Invalid Date'],
      [Buffer.from('hello'), '[Buffer 5 bytes]'],
      [new Uint16Array(4), '[Buffer 8 bytes]'],
      [new ArrayBuffer(3), '[Buffer 3 bytes]'],
      [new DataView(new ArrayBuffer(2)), '[Buffer 2 bytes]'],
      [/a+b/gi, '/a+b/gi'],
      [new String('boxed'), 'boxed'],
      [new Number(7), 7],
      [new URL('https://example.com/a?b=1'), 'https://example.com/a?b=1'],
    ];
    for (const [input, expected] of cases) {
      expect(normalize(input, RAW), String(expected)).toEqual(expected);
    }
  });

  it('Map → object, Set → array, undefined dropped from objects and null in arrays', () => {
    const sparse: unknown[] = [1, undefined];
    sparse[3] = 3; // index 2 is a hole
    const input = {
      m: new Map<unknown, unknown>([
        ['a', 1],
        [2, 'two'],
        [{}, 'obj'],
      ]),
      s: new Set([1, 'x', 1]),
      gone: undefined,
      arr: sparse,
    };
    expect(normalize(input, RAW)).toEqual({
      m: { a: 1, 2: 'two', '[Object]': 'obj' },
      s: [1, 'x'],
      arr: [1, null, null, 3],
    });
  });

  it('Errors become { name, message, stack } plus own enumerable fields and the cause', () => {
    const cause = new TypeError('inner');
    const err = Object.assign(new Error('outer', { cause }), { code: 'E_X', status: 503 });
    const out = normalize(err, RAW) as Record<string, unknown>;
    expect(out.name).toBe('Error');
    expect(out.message).toBe('outer');
    expect(out.stack).toBe(err.stack);
    expect(out.code).toBe('E_X');
    expect(out.status).toBe(503);
    expect((out.cause as Record<string, unknown>).message).toBe('inner');
    expect((out.cause as Record<string, unknown>).name).toBe('TypeError');
  });

  it('marks cycles but not shared siblings', () => {
    const shared = { v: 1 };
    const a: Record<string, unknown> = { shared, again: shared, list: [shared] };
    a.self = a;
    (a.list as unknown[]).push(a.list);
    expect(normalize(a, RAW)).toEqual({
      shared: { v: 1 },
      again: { v: 1 },
      list: [{ v: 1 }, '[Circular]'],
      self: '[Circular]',
    });
    const m = new Map<string, unknown>();
    m.set('me', m);
    expect(normalize(m, RAW)).toEqual({ me: '[Circular]' });
  });

  it('stops at maxDepth with [Object] / [Array]', () => {
    const deep = { a: { b: { c: { d: 1 } } }, l: [[[1]]], s: new Set([new Set([1])]) };
    expect(normalize(deep, { scrub: false, maxDepth: 2 })).toEqual({
      a: { b: '[Object]' },
      l: ['[Array]'],
      s: ['[Array]'],
    });
    expect(normalize(deep, { scrub: false, maxDepth: 0 })).toBe('[Object]');
    let chain: Record<string, unknown> = {};
    const root = chain;
    for (let i = 0; i < 100_000; i++) chain = chain.next = {};
    expect(measure(normalize(root, RAW)).depth).toBe(8);
  });

  it('caps breadth and string length (never splitting a surrogate pair)', () => {
    const big = Array.from({ length: 10_000 }, (_, i) => i);
    expect(normalize(big, RAW)).toEqual(big.slice(0, 200));
    const wide = Object.fromEntries(big.map((i) => [`k${i}`, i]));
    expect(Object.keys(normalize(wide, { scrub: false, maxBreadth: 3 }) as object)).toEqual([
      'k0',
      'k1',
      'k2',
    ]);
    expect(normalize('abcdefghij', { scrub: false, maxStringLength: 5 })).toBe('abcd…');
    expect(normalize('abc😀def', { scrub: false, maxStringLength: 5 })).toBe('abc…');
    expect(normalize('x'.repeat(10_000), RAW)).toHaveLength(8192);
    expect(normalize({ ['k'.repeat(20)]: 1 }, { scrub: false, maxStringLength: 5 })).toEqual({ 'kkkk…': 1 });
  });

  it('survives hostile objects: throwing getters, proxies, toJSON, __proto__ keys, null prototypes', () => {
    const getter = Object.defineProperty({ ok: 1 }, 'bad', {
      enumerable: true,
      get() {
        throw new Error('nope');
      },
    });
    const trap = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error('trap');
        },
        getPrototypeOf() {
          throw new Error('trap');
        },
      },
    );
    const revocable = Proxy.revocable({}, {});
    revocable.revoke();
    const nullProto = Object.assign(Object.create(null), { a: 1 });
    const protoKey = JSON.parse('{"__proto__": {"polluted": true}, "b": 2}');
    const badJson = {
      toJSON() {
        throw new Error('no');
      },
    };
    const out = normalize(
      { getter, trap, revoked: revocable.proxy, nullProto, protoKey, badJson },
      RAW,
    ) as Record<string, Record<string, unknown>>;
    expect(out.getter).toEqual({ ok: 1, bad: '[Thrown]' });
    expect(out.trap).toBe('[Thrown]');
    expect(out.revoked).toBe('[Thrown]');
    expect(out.nullProto).toEqual({ a: 1 });
    expect(Object.getPrototypeOf(out.protoKey)).toBe(Object.prototype);
    expect(Object.keys(out.protoKey!)).toEqual(['__proto__', 'b']);
    expect(out.badJson).toBe('[Thrown]');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(JSON.stringify(out))).toBeTypeOf('object');
  });

  it('non-finite numbers become strings within the caps (fast-check counterexample)', () => {
    const out = normalize(new Map([['k', new Number(Number.POSITIVE_INFINITY)]]), {
      scrub: false,
      maxDepth: 1,
      maxBreadth: 1,
      maxStringLength: 1,
    });
    expect(out).toEqual({ k: '…' });
    expect(normalize(Number.NEGATIVE_INFINITY, { scrub: false })).toBe('-Infinity');
  });

  it('never throws and always returns JSON-safe data within the caps', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      maxDepth: 4,
    });
    fc.assert(
      fc.property(
        anything,
        fc.boolean(),
        fc.nat(6),
        fc.nat(10),
        fc.integer({ min: 1, max: 50 }),
        (value, scrub, maxDepth, maxBreadth, maxStringLength) => {
          const out = normalize(value, { scrub, maxDepth, maxBreadth, maxStringLength });
          if (out === undefined) return value === undefined;
          if (!isJsonSafe(out)) return false;
          JSON.stringify(out);
          // The fixed markers are exempt from maxStringLength; everything else respects it.
          const m = measure(stripMarkers(out));
          return m.depth <= maxDepth && m.breadth <= maxBreadth && m.str <= maxStringLength;
        },
      ),
      { numRuns: 400 },
    );
  });

  it('with scrub=false, JSON data passes through unchanged', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 5 }), (text) => {
        const data = JSON.parse(text) as unknown;
        expect(normalize(data, RAW)).toEqual(data);
      }),
      { numRuns: 300 },
    );
  });
});

describe('normalize: scrubbing corpus', () => {
  const payload = {
    user: { id: 'u_42', email: 'jane.doe@example.com', name: 'Jane' },
    note: 'Call jane.doe@example.com or pay with 4111 1111 1111 1111',
    billing: {
      card: '4111-1111-1111-1111',
      ni: 'AB 12 34 56 C',
      niCompact: 'AB123456C',
      taxRef: '078-05-1120',
    },
    headers: {
      Authorization: 'Bearer abc.def.ghi',
      cookie: 'sid=abc; theme=dark',
      'x-request-id': 'req-123',
    },
    password: 'hunter2',
    userPassword: 'hunter3',
    apiKey: 'sk_live_123',
    ssn: 'n/a',
    message: 'login failed for bob@corp.io: Authorization: Bearer abc.def.ghi',
    jwt: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl',
    basic: 'Basic dXNlcjpwYXNz',
    path: '/login?user=bob&password=hunter2&next=%2Fhome',
    body: '{"username":"bob","password":"hunter2"}',
    inspected: "{ token: 'abc123', ok: true }",
    cardNumberAsNumber: 4111111111111111,
    keep: {
      orderId: 'ORD-2024-000123',
      uuid: '123e4567-e89b-12d3-a456-426614174000',
      at: '2026-11-23T12:00:00Z',
      day: '2026-11-23',
      notCard: '4111111111111112',
      phone: '+1 555 123 4567',
      epochMs: '1732363200000',
      epochNumber: 1732363200004,
      version: 'pkg@1.2.3',
      words: 'Basic settings saved; bearer tokens rotate; Invalid token: expired',
      sha: 'a3f4111111111111111ffe',
      amount: '4111111111111111.25',
    },
  };

  it('redacts every secret and PII value with scrub=true, keeps the look-alikes', () => {
    expect(normalize(payload, SCRUB)).toEqual({
      user: { id: 'u_42', email: FILTERED, name: 'Jane' },
      note: `Call ${FILTERED} or pay with ${FILTERED}`,
      billing: { card: FILTERED, ni: FILTERED, niCompact: FILTERED, taxRef: FILTERED },
      headers: { Authorization: FILTERED, cookie: FILTERED, 'x-request-id': 'req-123' },
      password: FILTERED,
      userPassword: FILTERED,
      apiKey: FILTERED,
      ssn: FILTERED,
      message: `login failed for ${FILTERED}: Authorization: Bearer ${FILTERED}`,
      jwt: FILTERED,
      basic: `Basic ${FILTERED}`,
      path: `/login?user=bob&password=${FILTERED}&next=%2Fhome`,
      body: `{"username":"bob","password":"${FILTERED}"}`,
      inspected: `{ token: '${FILTERED}', ok: true }`,
      cardNumberAsNumber: FILTERED,
      keep: payload.keep,
    });
  });

  it('passes everything verbatim with scrub=false', () => {
    expect(normalize(payload, RAW)).toEqual(payload);
  });

  it('leaves no secret anywhere in the serialized output', () => {
    const text = JSON.stringify(normalize(payload, SCRUB));
    for (const secret of [
      'jane.doe',
      'bob@',
      '4111 1111',
      '4111-1111',
      'AB 12 34',
      'AB123456C',
      '078-05',
      'hunter',
      'abc.def',
      'sk_live',
      'dXNlcjpw',
      'eyJ',
      'abc123',
    ]) {
      expect(text).not.toContain(secret);
    }
  });

  it('normalizeRecord: flat records, and undefined for anything that is not an object', () => {
    expect(normalizeRecord({ userId: 7, token: 't', when: new Date(0), big: 5n }, SCRUB)).toEqual({
      userId: 7,
      token: FILTERED,
      when: '1970-01-01T00:00:00.000Z',
      big: '5',
    });
    expect(normalizeRecord(undefined, SCRUB)).toBeUndefined();
    expect(normalizeRecord('str' as unknown as Record<string, unknown>, SCRUB)).toBeUndefined();
    expect(normalizeRecord([1, 2] as unknown as Record<string, unknown>, SCRUB)).toBeUndefined();
    expect(normalizeRecord({ a: 1 }, { scrub: false, maxDepth: 0 })).toBeUndefined();
  });

  it('a sensitive key is filtered without running its getter', () => {
    let ran = false;
    const o = Object.defineProperty({}, 'secret', {
      enumerable: true,
      get() {
        ran = true;
        return 's';
      },
    });
    expect(normalize(o, SCRUB)).toEqual({ secret: FILTERED });
    expect(ran).toBe(false);
  });
});

describe('scrubString', () => {
  const redacted: Array<[string, string]> = [
    ['contact jane.doe+tag@mail.example.co.uk today', `contact ${FILTERED} today`],
    ['encoded jane%40example.com here', `encoded ${FILTERED} here`],
    ['<a@b.io>', `<${FILTERED}>`],
    ['card 4111 1111 1111 1111 exp', `card ${FILTERED} exp`],
    ['card 4111-1111-1111-1111', `card ${FILTERED}`],
    ['4111111111111111', FILTERED],
    ['amex 3782 822463 10005', `amex ${FILTERED}`],
    ['mc 5555555555554444, visa13 4222222222222', `mc ${FILTERED}, visa13 ${FILTERED}`],
    ['paid 4111 1111 1111 1111 2024', `paid ${FILTERED} 2024`],
    ['ssn 078-05-1120.', `ssn ${FILTERED}.`],
    ['NI AB 12 34 56 C and ab123456c', `NI ${FILTERED} and ${FILTERED}`],
    ['Authorization: Bearer abc.def.ghi', `Authorization: Bearer ${FILTERED}`],
    ['authorization: bearer AbCdEf123456==', `authorization: bearer ${FILTERED}`],
    ['Authorization: Basic dXNlcjpwYXNz', `Authorization: Basic ${FILTERED}`],
    ['jwt=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-_x', `jwt=${FILTERED}`],
    ['token eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', `token ${FILTERED}`],
    ['GET /cb?code=1&access_token=abc#x', `GET /cb?code=1&access_token=${FILTERED}#x`],
    ['user=bob password=hunter2 level=info', `user=bob password=${FILTERED} level=info`],
    ["UPDATE users SET password = 'hunter2'", `UPDATE users SET password = '${FILTERED}'`],
    ['{"apiKey": "k-1", "n": 1}', `{"apiKey": "${FILTERED}", "n": 1}`],
    ['{"secret":"a\\"b","n":1}', `{"secret":"${FILTERED}","n":1}`],
    ["{ sessionId: 'abc', userId: 'u1' }", `{ sessionId: '${FILTERED}', userId: 'u1' }`],
    ['sid=1; session_id=abc; theme=dark', `sid=1; session_id=${FILTERED}; theme=dark`],
    ['unterminated password="abc def', `unterminated password=${FILTERED}`],
    // Keys match by substring, as documented for isSensitiveKey.
    ['tokens_used=12', `tokens_used=${FILTERED}`],
    ['paid 4111 1111 1111 1111.', `paid ${FILTERED}.`],
    ['ref A1 4111 1111 1111 1111 x', `ref A1 ${FILTERED} x`],
    ["o'neil!x@example.com", `o'${FILTERED}`],
  ];
  it.each(redacted)('redacts %j', (input, expected) => {
    expect(scrubString(input)).toBe(expected);
  });

  const kept = [
    'ORD-2024-000123',
    '123e4567-e89b-12d3-a456-426614174000',
    '2026-11-23T12:00:00Z and 2026-11-23',
    '4111111111111112',
    // Luhn-valid, but no card network starts with 1: epoch ms / µs timestamps.
    'ts 1732363200004 and 1732363200000128',
    '+1 555 123 4567, +44 20 7946 0958',
    'npm i pkg@1.2.3 @scope/pkg user@localhost',
    'ssn-like 000-12-3456 666-12-3456 900-12-3456 123-00-4567 123-45-0000',
    'NI-like ZZ123456A, BG123456A, AB123456E',
    'Basic settings saved; Basic Auth; bearer tokens rotate',
    'Invalid token: expired; session: not found; password: too short',
    'limit=12&&x==y and a == b and token==x',
    'hex a3f4111111111111111ffe, float 0.4111111111111111, 4111111111111111.25',
    'pi 3.14159265358979',
    'short',
    '',
    '[Filtered]',
  ];
  it.each(kept)('keeps %j', (input) => {
    expect(scrubString(input)).toBe(input);
  });

  it('finds emails of any shape in any surroundings', () => {
    const text = fc.string({ unit: fc.constantFrom(' ', ',', '(', ')', ':', ';', '"', '\n', 'x', '1') });
    fc.assert(
      fc.property(text, fc.emailAddress(), text, (pre, email, post) => {
        // Exotic local parts ending in a delimiter (`a/@b.co`, `'@b.co`) are out of scope.
        fc.pre(/[A-Za-z0-9._%+!#$&*^~-]@/.test(email));
        const out = scrubString(pre + email + post);
        const domain = email.slice(email.lastIndexOf('@'));
        expect(out).not.toContain(domain);
        expect(out).toContain(FILTERED);
      }),
      { numRuns: 300 },
    );
  });

  it('finds Luhn-valid cards however they are grouped, and keeps Luhn failures', () => {
    const card = fc
      .tuple(
        fc.integer({ min: 2, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 17 }),
      )
      .map(([first, rest]) => withLuhn([first, ...rest]));
    const sep = fc.constantFrom('', ' ', '-');
    fc.assert(
      fc.property(card, sep, fc.nat(5), (digits, s, shift) => {
        const grouped = digits.join('').replace(/(\d{4})(?=\d)/g, `$1${s}`);
        expect(scrubString(`paid with ${grouped} ok`)).toBe(`paid with ${FILTERED} ok`);
        const broken = [...digits];
        broken[digits.length - 1] = (digits[digits.length - 1]! + 1 + shift) % 10;
        if (broken[digits.length - 1] === digits[digits.length - 1]) return;
        const brokenText = `ref ${broken.join('')} ok`;
        expect(scrubString(brokenText)).toBe(brokenText);
      }),
      { numRuns: 300 },
    );
  });

  it('never throws, and is idempotent', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary' }), piiish()), (s) => {
        const once = scrubString(s);
        return typeof once === 'string' && scrubString(once) === once;
      }),
      { numRuns: 1000 },
    );
    for (const v of [undefined, null, 42, {}, Symbol('s')])
      expect(() => scrubString(v as unknown as string)).not.toThrow();
  });

  it('adversarial inputs finish (a hang would time out)', () => {
    const hostile = [
      `${'a'.repeat(100_000)}@`,
      '@'.repeat(100_000),
      'a@'.repeat(50_000),
      `${'a.'.repeat(50_000)}@`,
      `x@${'a.'.repeat(50_000)}`,
      '%40'.repeat(40_000),
      '1 '.repeat(50_000),
      '4'.repeat(100_000),
      '4111 '.repeat(25_000),
      '4-'.repeat(50_000),
      'password='.repeat(20_000),
      '"password":"'.repeat(10_000),
      "password='".repeat(10_000),
      `password="${'\\'.repeat(100_000)}`,
      'Bearer '.repeat(20_000),
      `Bearer ${'a'.repeat(100_000)}`,
      'basic basic '.repeat(10_000),
      'eyJ'.repeat(30_000),
      '-eyJa'.repeat(20_000),
      'eyJa.'.repeat(20_000),
      '123-45-'.repeat(20_000),
      'AB 12 34 56 '.repeat(10_000),
      '= '.repeat(50_000),
      `${'k'.repeat(100_000)}=v`,
      ': '.repeat(50_000),
    ];
    for (const s of hostile) expect(typeof scrubString(s)).toBe('string');
  });
});

describe('isSensitiveKey', () => {
  const yes = [
    'password',
    'PASSWORD',
    'userPassword',
    'passwd',
    'db_pwd',
    'clientSecret',
    'token',
    'X-Auth-Token',
    'refresh_token',
    'api_key',
    'apiKey',
    'api-key',
    'X-API-KEY',
    'authorization',
    'Proxy-Authorization',
    'auth',
    'basicAuth',
    'AUTH_HEADER',
    'cookie',
    'Set-Cookie',
    'session',
    'sessionId',
    'SESSIONID',
    'credit_card',
    'creditCardNumber',
    'card_number',
    'cvv',
    'ssn',
    'userSSN',
    'ssn_last4',
    'private_key',
    'privateKey',
    'x-allstak-key',
    'credentials',
    'passphrase',
  ];
  const no = [
    'author',
    'authorName',
    'className',
    'classname',
    'user',
    'email',
    'id',
    'method',
    'path',
    'status',
    'level',
    'key',
    'cardinality',
    '',
  ];
  it.each(yes)('%s is sensitive', (k) => expect(isSensitiveKey(k)).toBe(true));
  it.each(no)('%s is not sensitive', (k) => expect(isSensitiveKey(k)).toBe(false));

  it('never throws; any key containing a listed word in any case and with separators matches', () => {
    const noise = fc.string({ unit: fc.constantFrom('a', 'B', '_', '-', '.', ' ', '1') });
    fc.assert(
      fc.property(
        noise,
        fc.constantFrom('password', 'secret', 'token', 'api_key', 'cookie'),
        noise,
        (pre, word, post) => {
          const upper = Math.random() < 0.5;
          return isSensitiveKey(pre + (upper ? word.toUpperCase() : word) + post);
        },
      ),
    );
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (k) => typeof isSensitiveKey(k) === 'boolean'));
    expect(isSensitiveKey(42 as unknown as string)).toBe(false);
    expect(isSensitiveKey(`${'x'.repeat(100_000)}token`)).toBe(false); // only the first 1024 chars count
  });
});

describe('scrubUrl', () => {
  const cases: Array<[string, string]> = [
    ['/users/42?page=2', '/users/42?page=2'],
    ['/cb?code=1&access_token=abc&state=x', `/cb?code=1&access_token=${FILTERED}&state=x`],
    ['/a?API%5FKEY=1&q=hi', `/a?API%5FKEY=${FILTERED}&q=hi`],
    ['/a?email=jane%40example.com&x=1', `/a?email=${FILTERED}&x=1`],
    ['/a?to=jane%2Bx%40example.com', `/a?to=${FILTERED}`],
    ['/a?note=card+4111+1111+1111+1111', `/a?note=card%20${FILTERED}`],
    ['/users/jane@example.com/profile', `/users/${FILTERED}/profile`],
    ['https://user:pw@db.example.com:5432/app', `https://user:${FILTERED}@db.example.com:5432/app`],
    ['https://ghp_abc123@github.com/org/repo.git', `https://${FILTERED}@github.com/org/repo.git`],
    [
      'https://example.com/#access_token=abc&type=bearer',
      `https://example.com/#access_token=${FILTERED}&type=bearer`,
    ],
    ['https://example.com/doc#section-2', 'https://example.com/doc#section-2'],
    ['/bad?x=%E0%A4%A&password=p', `/bad?x=%E0%A4%A&password=${FILTERED}`],
    ['/flag?secret', '/flag?secret'],
    ['', ''],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(scrubUrl(input)).toBe(expected);
  });

  it('never throws on arbitrary input', () => {
    const urlish = fc
      .array(
        fc.constantFrom(
          'https://',
          'a',
          '@',
          ':',
          '/',
          '?',
          '&',
          '=',
          '#',
          '%',
          '%4',
          '%40',
          '+',
          'token',
          'b.com',
          '4111',
        ),
        {
          maxLength: 30,
        },
      )
      .map((a) => a.join(''));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          urlish,
          fc.webUrl({ withQueryParameters: true, withFragments: true }),
        ),
        (u) => {
          return typeof scrubUrl(u) === 'string';
        },
      ),
      { numRuns: 500 },
    );
    expect(scrubUrl(undefined as unknown as string)).toBe('undefined');
    expect(typeof scrubUrl(`/x?${'a=1&'.repeat(50_000)}`)).toBe('string');
  });
});

describe('scrubHeaders', () => {
  it('filters secret and client-IP headers, scrubs the rest, flattens arrays', () => {
    expect(
      scrubHeaders({
        Authorization: 'Bearer abc.def.ghi',
        cookie: 'sid=1',
        'set-cookie': ['a=1', 'b=2'],
        'x-api-key': 'k',
        'X-AllStak-Key': 'k2',
        'x-forwarded-for': '203.0.113.9',
        referer: 'https://app.example.com/reset?token=abc',
        'x-note': 'from jane@example.com',
        accept: ['text/html', 'application/json'],
        'content-length': '12',
        missing: undefined,
      }),
    ).toEqual({
      Authorization: FILTERED,
      cookie: FILTERED,
      'set-cookie': FILTERED,
      'x-api-key': FILTERED,
      'X-AllStak-Key': FILTERED,
      'x-forwarded-for': FILTERED,
      referer: `https://app.example.com/reset?token=${FILTERED}`,
      'x-note': `from ${FILTERED}`,
      accept: 'text/html, application/json',
      'content-length': '12',
    });
  });

  it('never throws on hostile header objects', () => {
    const hostile = new Proxy({} as Record<string, string>, {
      ownKeys() {
        throw new Error('trap');
      },
    });
    expect(scrubHeaders(hostile)).toEqual({});
    expect(scrubHeaders(Object.assign(Object.create(null), { a: 'b' }))).toEqual({ a: 'b' });
  });
});

const MARKER = /^\[(Object|Array|Circular|Thrown|Filtered)\]$/;

function stripMarkers(v: unknown): unknown {
  if (typeof v === 'string') return MARKER.test(v) ? '' : v;
  if (Array.isArray(v)) return v.map(stripMarkers);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, stripMarkers(x)]));
  }
  return v;
}

/** Appends the Luhn check digit. */
function withLuhn(body: number[]): number[] {
  let sum = 0;
  for (let i = body.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = body[i]!;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return [...body, (10 - (sum % 10)) % 10];
}

/** Strings mixing PII fragments and separators, to hit every scanner's edge. */
function piiish(): fc.Arbitrary<string> {
  const tok = fc.constantFrom(
    'a',
    '@',
    '%40',
    '.com',
    '.',
    '4111',
    ' ',
    '-',
    '078',
    '05',
    '1120',
    'AB',
    'C',
    'Bearer ',
    'Basic ',
    'dXNl',
    'eyJ',
    'password',
    '=',
    ':',
    '"',
    "'",
    '\\',
    '&',
    FILTERED,
  );
  return fc.array(tok, { maxLength: 30 }).map((a) => a.join(''));
}
