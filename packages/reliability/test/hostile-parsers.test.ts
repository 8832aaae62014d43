import {
  CompositePropagator,
  allstakPropagator,
  extractRequestId,
  headerGetter,
  normalizeQuery,
  parseStack,
  parseTraceparent,
  parseTracestate,
  queryHash,
  queryType,
  scrubHeaders,
  scrubString,
  scrubUrl,
} from '@sightline/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ADVERSARIAL_RUNS, RANDOM_RUNS, Tracker, adversarial, randomText } from './helpers/hostile.js';

/**
 * Property-based hostile input for every parser that sees outside data: never throw, never hang
 * (each call has a time budget, so a catastrophic-backtracking regex fails the run), and respect
 * the documented size caps.
 */

const HEX32 = /^[0-9a-f]{32}$/;
const HEX16 = /^[0-9a-f]{16}$/;
const hex = (n: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const VALID_TP = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('hostile input: propagation headers', () => {
  it('traceparent: only well-formed, non-zero ids come out', () => {
    const t = new Tracker('traceparent parser');
    const check = (s: string) => {
      const r = t.time(s.length, () => parseTraceparent(s));
      if (r === undefined) return;
      expect(r.traceId).toMatch(HEX32);
      expect(r.parentSpanId).toMatch(HEX16);
      expect(r.traceId).not.toBe('0'.repeat(32));
      expect(r.parentSpanId).not.toBe('0'.repeat(16));
      expect(r.flags).toBeGreaterThanOrEqual(0);
      expect(r.flags).toBeLessThanOrEqual(255);
    };
    fc.assert(fc.property(randomText, check), RANDOM_RUNS);
    // Near-misses of the real format, then every valid one round-trips.
    const nearMiss = fc
      .tuple(
        hex(2),
        hex(32),
        hex(16),
        hex(2),
        fc.constantFrom('-', '', '_', '--', ' '),
        fc.string({ maxLength: 5 }),
      )
      .map(([v, tr, sp, fl, sep, tail]) => `${v}${sep}${tr}-${sp}-${fl}${tail}`);
    fc.assert(fc.property(nearMiss, check), RANDOM_RUNS);
    fc.assert(
      fc.property(hex(32), hex(16), hex(2), (tr, sp, fl) => {
        const r = t.time(55, () => parseTraceparent(`00-${tr}-${sp}-${fl}`));
        const zero = /^0+$/.test(tr) || /^0+$/.test(sp);
        expect(r === undefined).toBe(zero);
      }),
      RANDOM_RUNS,
    );
    fc.assert(fc.property(adversarial(['0', '-', 'f', '00-', 'ff']), check), ADVERSARIAL_RUNS);
    t.record('ids exactly 32/16 lowercase hex, never all zeros; headers over 8 KiB ignored');
  });

  it('tracestate: at most 32 valid members, at most 8 KiB, or nothing', () => {
    const t = new Tracker('tracestate parser');
    const check = (v: string | string[]) => {
      const size = typeof v === 'string' ? v.length : v.join(',').length;
      const r = t.time(size, () => parseTracestate(v));
      if (r === undefined) return;
      expect(r.length).toBeLessThanOrEqual(8192);
      expect(r.split(',').length).toBeLessThanOrEqual(32);
    };
    const member = fc
      .tuple(
        fc.string({ unit: fc.constantFrom(...'abz09_-*/@'), minLength: 1, maxLength: 20 }),
        fc.string({ maxLength: 30 }),
      )
      .map(([k, v]) => `${k}=${v}`);
    fc.assert(fc.property(randomText, check), RANDOM_RUNS);
    fc.assert(
      fc.property(
        fc.array(member, { maxLength: 60 }).map((m) => m.join(',')),
        check,
      ),
      RANDOM_RUNS,
    );
    fc.assert(fc.property(fc.array(randomText, { maxLength: 5 }), check), RANDOM_RUNS);
    fc.assert(fc.property(adversarial(['a=b,', 'a@b=c,', ',', '=', 'k=', ' ']), check), ADVERSARIAL_RUNS);
    t.record('<= 32 members, <= 8192 chars; invalid lists dropped whole');
  });

  it('baggage: foreign members kept within 8 KiB and 180 members, our own never taken from outside', () => {
    const t = new Tracker('baggage parser');
    const prop = new CompositePropagator(['w3c', 'allstak']);
    const check = (b: string) => {
      const ctx = t.time(b.length, () => prop.extract({ traceparent: VALID_TP, baggage: b }, headerGetter));
      expect(ctx?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      const kept = ctx?.baggage;
      if (kept === undefined) return;
      expect(kept.length).toBeLessThanOrEqual(8192);
      const members = kept.split(',');
      expect(members.length).toBeLessThanOrEqual(180);
      for (const m of members) expect(m.trim().toLowerCase().startsWith('allstak-')).toBe(false);
      // What goes out again stays within the W3C limit too.
      const out: Record<string, string> = {};
      prop.inject(
        {
          traceId: ctx!.traceId,
          spanId: 'b7ad6b7169203331',
          sampled: true,
          traceFlags: 1,
          baggage: kept,
          requestId: 'r'.repeat(200),
        },
        out,
        (c, k, v) => {
          c[k] = v;
        },
        (c, k) => k in c,
      );
      expect(out.baggage!.length).toBeLessThanOrEqual(8192 + 400);
    };
    fc.assert(fc.property(randomText, check), RANDOM_RUNS);
    fc.assert(
      fc.property(adversarial(['a=b,', 'allstak-trace_id=x,', ',', '=', ';p=1', ' ']), check),
      ADVERSARIAL_RUNS,
    );
    t.record('<= 8192 chars, <= 180 members, allstak-* members from outside dropped');
  });

  it('AllStak trace headers and request ids: valid ids or nothing; request ids <= 200 printable chars', () => {
    const t = new Tracker('allstak headers and request ids');
    const check = (a: string, b: string, c: string) => {
      const ctx = t.time(a.length + b.length + c.length, () =>
        allstakPropagator.extract(
          { 'allstak-trace': a, 'x-allstak-trace-id': b, 'x-trace-id': c },
          headerGetter,
        ),
      );
      if (ctx) {
        expect(ctx.traceId).toMatch(HEX32);
        if (ctx.parentSpanId !== '') expect(ctx.parentSpanId).toMatch(HEX16);
      }
      const id = t.time(a.length + b.length, () =>
        extractRequestId({ 'x-allstak-request-id': a, 'x-request-id': b }, headerGetter),
      );
      if (id !== undefined) {
        expect(id.length).toBeGreaterThan(0);
        expect(id.length).toBeLessThanOrEqual(200);
        expect(id).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
        expect(id).toBe(id.trim());
      }
    };
    fc.assert(fc.property(randomText, randomText, randomText, check), RANDOM_RUNS);
    const tricky = fc
      .tuple(hex(32), hex(16), fc.constantFrom('0', '1', '2', '', '01'), fc.string({ maxLength: 4 }))
      .map(([tr, sp, s, tail]) => `${tr}-${sp}-${s}${tail}`);
    fc.assert(fc.property(tricky, hex(32), fc.string({ maxLength: 250 }), check), RANDOM_RUNS);
    fc.assert(
      fc.property(adversarial(['a', ' ', '-', '0']), adversarial(['x', ' ']), randomText, check),
      ADVERSARIAL_RUNS,
    );
    t.record('trace id 32 hex / span id 16 hex; request id trimmed, 1..200 printable ASCII');
  });
});

describe('hostile input: stack parser', () => {
  it('parses any text into at most 50 frames, bounded work per line', () => {
    const t = new Tracker('V8 stack parser');
    const check = (s: string) => {
      const frames = t.time(s.length, () => parseStack(s));
      expect(Array.isArray(frames)).toBe(true);
      expect(frames.length).toBeLessThanOrEqual(50);
      for (const f of frames) {
        expect(typeof f.function).toBe('string');
        expect(typeof f.absPath).toBe('string');
        expect(typeof f.inApp).toBe('boolean');
        expect(f.function.length + f.absPath.length).toBeLessThanOrEqual(1000);
        if (f.lineno !== undefined) expect(Number.isInteger(f.lineno)).toBe(true);
      }
    };
    const frameLine = fc
      .tuple(fc.string({ maxLength: 40 }), fc.string({ maxLength: 60 }), fc.nat(), fc.nat())
      .map(([fn, file, l, c]) => `    at ${fn} (${file}:${l}:${c})`);
    fc.assert(fc.property(randomText, check), RANDOM_RUNS);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(frameLine, randomText), { maxLength: 80 }).map((l) => l.join('\n')),
        check,
      ),
      RANDOM_RUNS,
    );
    fc.assert(
      fc.property(
        adversarial(['\n    at ', '(', ')', ':1', 'eval at ', ' [as x]', 'file://', '(a (b', 'at async ']),
        check,
      ),
      ADVERSARIAL_RUNS,
    );
    // Non-strings are not stacks.
    for (const v of [undefined, null, 42, {}, [], Symbol('s')]) expect(parseStack(v)).toEqual([]);
    t.record('<= 50 frames (innermost kept); lines over 1000 chars and lines past the 1000th skipped');
  });
});

describe('hostile input: scrubber', () => {
  it('scrubString, scrubUrl and scrubHeaders never throw and stay linear', () => {
    const t = new Tracker('PII scrubber (strings, URLs, headers)');
    const check = (s: string) => {
      expect(typeof t.time(s.length, () => scrubString(s))).toBe('string');
      expect(typeof t.time(s.length, () => scrubUrl(s))).toBe('string');
      const h = t.time(s.length, () =>
        scrubHeaders({ authorization: s, cookie: [s, s], referer: s, 'x-custom': s }),
      );
      expect(h.authorization).toBe('[Filtered]');
      expect(h.cookie).toBe('[Filtered]');
    };
    fc.assert(fc.property(randomText, check), RANDOM_RUNS);
    fc.assert(
      fc.property(
        adversarial([
          'a@',
          '@a.',
          '%40',
          '1 ',
          '1-',
          '4111',
          '123-45-',
          'AB 12 ',
          'Bearer ',
          'Basic ',
          'eyJ',
          'eyJa.',
          'password=',
          '"token": "',
          ':',
          '=',
          '&',
          '?',
          '#',
          'http://u:p@',
        ]),
        check,
      ),
      ADVERSARIAL_RUNS,
    );
    // Hostile header objects: throwing getters and proxies yield what was read, never a throw.
    const trap = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    expect(() => scrubHeaders(trap as never)).not.toThrow();
    const getter = Object.defineProperty({}, 'x', {
      enumerable: true,
      get: () => {
        throw new Error('get');
      },
    });
    expect(() => scrubHeaders(getter as never)).not.toThrow();
    t.record('output is a string; secret header names always [Filtered]');
  });
});

describe('hostile input: SQL normalizer', () => {
  it('normalizes anything into at most 64 KiB, hashes to 16 hex, types into the enum', () => {
    const t = new Tracker('SQL query normalizer');
    const TYPES = new Set([
      'SELECT',
      'INSERT',
      'UPDATE',
      'DELETE',
      'CREATE',
      'DROP',
      'ALTER',
      'BEGIN',
      'COMMIT',
      'ROLLBACK',
      'OTHER',
    ]);
    const check = (s: string) => {
      const n = t.time(s.length, () => normalizeQuery(s));
      expect(typeof n).toBe('string');
      expect(n.length).toBeLessThanOrEqual(64 * 1024);
      expect(t.time(n.length, () => queryHash(n))).toMatch(HEX16);
      expect(TYPES.has(t.time(s.length, () => queryType(s)))).toBe(true);
    };
    const sqlish = fc
      .array(
        fc.oneof(
          fc.constantFrom(
            'SELECT',
            'FROM',
            'WHERE',
            'IN',
            '(',
            ')',
            ',',
            "'",
            "''",
            '--',
            '/*',
            '*/',
            '$$',
            '$tag$',
            '"',
            '`',
            '::int',
            '?',
            '$1',
            ':name',
            '-',
            '1.5e3',
            "x'ff'",
            'VALUES',
            '\n',
          ),
          randomText,
        ),
        { maxLength: 60 },
      )
      .map((parts) => parts.join(' '));
    fc.assert(fc.property(randomText, check), RANDOM_RUNS);
    fc.assert(fc.property(sqlish, check), RANDOM_RUNS);
    fc.assert(
      fc.property(
        adversarial(["'", "\\'", '--', '/*', '$$', '$a$', 'IN (', '1,', '(', '"', ' ', 'VALUES (1),', '-1']),
        check,
      ),
      ADVERSARIAL_RUNS,
    );
    t.record('normalized query <= 65536 chars; hash 16 hex; type in the documented enum');
  });
});
