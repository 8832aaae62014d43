import { describe, expect, it } from 'vitest';
import { allstakPropagator, extractRequestId } from '../src/propagation/allstak.js';
import { foreignBaggage, mergeBaggage } from '../src/propagation/baggage.js';
import { CompositePropagator } from '../src/propagation/composite.js';
import { type Propagator, headerGetter } from '../src/propagation/types.js';
import { formatTraceparent, parseTraceparent, parseTracestate, w3cPropagator } from '../src/propagation/w3c.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const S = '00f067aa0ba902b7';

describe('traceparent (W3C Trace Context Level 2)', () => {
  it('parses version 00', () => {
    expect(parseTraceparent(`00-${T}-${S}-01`)).toEqual({ traceId: T, parentSpanId: S, flags: 1 });
    expect(parseTraceparent(`00-${T}-${S}-03`)?.flags).toBe(3);
  });

  it('parses a higher version by its known fields', () => {
    expect(parseTraceparent(`01-${T}-${S}-01`)).toEqual({ traceId: T, parentSpanId: S, flags: 1 });
    expect(parseTraceparent(`cc-${T}-${S}-01-what-the-future-holds`)).toEqual({ traceId: T, parentSpanId: S, flags: 1 });
    expect(parseTraceparent(`cc-${T}-${S}-01x`)).toBeUndefined();
  });

  it.each([
    ['version ff', `ff-${T}-${S}-01`],
    ['version 00 with extra data', `00-${T}-${S}-01-extra`],
    ['upper-case hex', `00-${T.toUpperCase()}-${S}-01`],
    ['zero trace id', `00-${'0'.repeat(32)}-${S}-01`],
    ['zero span id', `00-${T}-${'0'.repeat(16)}-01`],
    ['short trace id', `00-${T.slice(1)}-${S}-01`],
    ['non-hex', `00-${T.slice(0, 31)}g-${S}-01`],
    ['bad flags', `00-${T}-${S}-0x`],
    ['wrong separators', `00_${T}_${S}_01`],
    ['two joined headers', `00-${T}-${S}-01, 00-${T}-${S}-01`],
    ['8 KB garbage', 'x'.repeat(8192)],
    ['empty', ''],
  ])('rejects %s', (_name, value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });

  it('formats flags as two hex digits', () => {
    expect(formatTraceparent(T, S, 1)).toBe(`00-${T}-${S}-01`);
    expect(formatTraceparent(T, S, 0)).toBe(`00-${T}-${S}-00`);
    expect(formatTraceparent(T, S, 0x83)).toBe(`00-${T}-${S}-83`);
  });
});

describe('tracestate', () => {
  it('keeps valid members (multi-tenant keys included), joined when repeated', () => {
    expect(parseTracestate('congo=t61rcWkgMzE, rojo=00f067aa0ba902b7')).toBe('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7');
    expect(parseTracestate(['a=1', 'tenant@vendor=2'])).toBe('a=1,tenant@vendor=2');
  });

  it.each([
    ['duplicate keys', 'a=1,a=2'],
    ['upper-case key', 'A=1'],
    ['missing value separator', 'novalue'],
    ['comma in value', 'a=1,,b'],
    ['too many members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(',')],
    ['oversized', `a=${'x'.repeat(9000)}`],
  ])('drops %s entirely', (_n, v) => {
    expect(parseTracestate(v)).toBeUndefined();
  });

  it('accepts exactly 32 members', () => {
    const v = Array.from({ length: 32 }, (_, i) => `k${i}=v`).join(',');
    expect(parseTracestate(v)).toBe(v);
  });

  it('an invalid tracestate does not affect traceparent', () => {
    const ctx = w3cPropagator.extract({ traceparent: `00-${T}-${S}-01`, tracestate: 'BAD' }, headerGetter);
    expect(ctx).toMatchObject({ traceId: T, parentSpanId: S, sampled: true });
    expect(ctx?.traceState).toBeUndefined();
  });
});

describe('AllStak headers and request ids', () => {
  it('reads allstak-trace, then x-allstak-trace-id, then x-trace-id', () => {
    expect(allstakPropagator.extract({ 'allstak-trace': `${T}-${S}-0` }, headerGetter)).toMatchObject({
      traceId: T,
      parentSpanId: S,
      sampled: false,
    });
    expect(allstakPropagator.extract({ 'x-allstak-trace-id': T, 'x-trace-id': 'f'.repeat(32) }, headerGetter)).toMatchObject({
      traceId: T,
      parentSpanId: '',
    });
    expect(allstakPropagator.extract({ 'x-trace-id': T }, headerGetter)?.traceId).toBe(T);
    expect(allstakPropagator.extract({ 'x-trace-id': '0'.repeat(32) }, headerGetter)).toBeUndefined();
    expect(allstakPropagator.extract({ 'allstak-trace': `${T}-${S}-2` }, headerGetter)).toBeUndefined();
  });

  it('takes the first valid header in PROTOCOL order', () => {
    const p = new CompositePropagator(['w3c', 'allstak']);
    const other = 'a'.repeat(32);
    expect(p.extract({ traceparent: `00-${T}-${S}-01`, 'x-trace-id': other }, headerGetter)?.traceId).toBe(T);
    expect(p.extract({ traceparent: 'garbage', 'x-trace-id': other }, headerGetter)?.traceId).toBe(other);
  });

  it('request id: x-allstak-request-id, then x-request-id; trimmed, bounded, printable', () => {
    expect(extractRequestId({ 'x-allstak-request-id': ' r-1 ', 'x-request-id': 'r-2' }, headerGetter)).toBe('r-1');
    expect(extractRequestId({ 'x-request-id': 'r-2' }, headerGetter)).toBe('r-2');
    expect(extractRequestId({ 'x-request-id': 'x'.repeat(201) }, headerGetter)).toBeUndefined();
    expect(extractRequestId({ 'x-request-id': 'bad\u0001id' }, headerGetter)).toBeUndefined();
    expect(extractRequestId({ 'x-request-id': ['a', 'b'] }, headerGetter)).toBeUndefined();
  });
});

describe('injection', () => {
  it('writes every header once, keeps the caller’s own, merges baggage', () => {
    const p = new CompositePropagator(['w3c', 'allstak']);
    const carrier: Record<string, string> = { 'x-allstak-request-id': 'caller-set' };
    p.inject(
      { traceId: T, spanId: S, sampled: true, traceFlags: 3, traceState: 'a=1', baggage: 'user=alice', requestId: 'req-9' },
      carrier,
      (c, k, v) => {
        c[k] = v;
      },
      (c, k) => k in c,
    );
    expect(carrier).toEqual({
      traceparent: `00-${T}-${S}-03`,
      tracestate: 'a=1',
      'allstak-trace': `${T}-${S}-1`,
      'x-allstak-trace-id': T,
      'x-allstak-request-id': 'caller-set',
      baggage: `allstak-trace_id=${T},allstak-span_id=${S},allstak-request_id=req-9,user=alice`,
    });
  });

  it('drops our own inbound baggage members and keeps the others', () => {
    expect(foreignBaggage('allstak-trace_id=x, user=alice;prop=1, bad')).toBe('user=alice;prop=1');
    expect(mergeBaggage(undefined, T, S)).toBe(`allstak-trace_id=${T},allstak-span_id=${S}`);
  });
});

describe('data carried beside the winning context (extractData)', () => {
  const clockLike: Propagator = {
    name: 'clock-like',
    fields: ['x-clock'],
    extract: (carrier, get) => {
      const v = get(carrier, 'x-clock');
      return typeof v === 'string'
        ? { traceId: 'f'.repeat(32), parentSpanId: S, source: 'clock-like' }
        : undefined;
    },
    inject: () => {},
    extractData: (carrier, get) => {
      const v = get(carrier, 'x-clock');
      return typeof v === 'string' ? { 'x-clock': v } : undefined;
    },
  };

  it('merges the data of propagators that did not win into propagationData', () => {
    const p = new CompositePropagator(['w3c', clockLike]);
    const ctx = p.extract({ traceparent: `00-${T}-${S}-01`, 'x-clock': 'v1;abc' }, headerGetter);
    expect(ctx?.source).toBe('w3c');
    expect(ctx?.traceId).toBe(T);
    expect(ctx?.propagationData).toEqual({ 'x-clock': 'v1;abc' });
  });

  it('the winner keeps its own data and its keys win; no extra data leaves the context untouched', () => {
    const winner: Propagator = {
      ...w3cPropagator,
      extract: (c, g) => {
        const x = w3cPropagator.extract(c, g);
        return x && { ...x, propagationData: { 'x-clock': 'mine', own: '1' } };
      },
    };
    const p = new CompositePropagator([winner, clockLike]);
    expect(
      p.extract({ traceparent: `00-${T}-${S}-01`, 'x-clock': 'v1;abc' }, headerGetter)?.propagationData,
    ).toEqual({
      'x-clock': 'mine',
      own: '1',
    });
    const plain = p.extract({ traceparent: `00-${T}-${S}-01` }, headerGetter);
    expect(plain?.propagationData).toEqual({ 'x-clock': 'mine', own: '1' });
  });

  it('a throwing extractData is ignored; nothing is merged when no context wins', () => {
    const broken: Propagator = {
      ...clockLike,
      extract: () => undefined,
      extractData: () => {
        throw new Error('x');
      },
    };
    const p = new CompositePropagator(['w3c', broken]);
    const ctx = p.extract({ traceparent: `00-${T}-${S}-01` }, headerGetter);
    expect(ctx?.traceId).toBe(T);
    expect(ctx?.propagationData).toBeUndefined();
    expect(
      new CompositePropagator(['w3c', clockLike]).extract({ 'x-other': '1' }, headerGetter),
    ).toBeUndefined();
  });
});
