import { CompositePropagator, headerGetter } from '@sightline/core';
import { describe, expect, it } from 'vitest';
import {
  type ClockHeaderPayload,
  MAX_HEADER_CLOCK_ENTRIES,
  decodeClockHeader,
  encodeClockHeader,
} from '../src/clock-header.js';
import { racewayClockPropagator } from '../src/propagator.js';

// WIRE-FORMATS §1.3: `v1;` + base64url (no padding) of JSON with the keys trace_id, span_id,
// parent_span_id, service, instance, clock ([string, number] pairs). Values chosen so the JSON
// length (217) is not a multiple of 3: base64 would end in `=`, base64url without padding does not.
const PAYLOAD: ClockHeaderPayload = {
  trace_id: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736',
  span_id: '00f067aa0ba902b7',
  parent_span_id: 'b7ad6b7169203331',
  service: 'checkout',
  instance: 'web-1-4242',
  clock: [
    ['checkout#web-1-4242', 3],
    ['gateway#gw-7', 12],
  ],
};
const HEADER =
  'v1;eyJ0cmFjZV9pZCI6IjRiZjkyZjM1LTc3YjMtNGRhNi1hM2NlLTkyOWQwZTBlNDczNiIsInNwYW5faWQiOiIwMGYwNjdhYTBiYTkwMmI3IiwicGFyZW50X3NwYW5faWQiOiJiN2FkNmI3MTY5MjAzMzMxIiwic2VydmljZSI6ImNoZWNrb3V0IiwiaW5zdGFuY2UiOiJ3ZWItMS00MjQyIiwiY2xvY2siOltbImNoZWNrb3V0I3dlYi0xLTQyNDIiLDNdLFsiZ2F0ZXdheSNndy03IiwxMl1dfQ';

const b64url = (o: unknown) => `v1;${Buffer.from(JSON.stringify(o)).toString('base64url')}`;

describe('raceway-clock codec', () => {
  it('encodes exactly as Raceway’s SDKs do (v1; + unpadded base64url of the JSON, keys in order)', () => {
    expect(encodeClockHeader(PAYLOAD)).toBe(HEADER);
    expect(HEADER).not.toContain('=');
    expect(HEADER).not.toMatch(/[+/]/);
    // The same bytes Raceway's TypeScript SDK produces with Buffer.toString('base64url').
    expect(encodeClockHeader(PAYLOAD)).toBe(b64url(PAYLOAD));
  });

  it('decodes its own and the reference encoding back to the payload', () => {
    expect(decodeClockHeader(HEADER)).toEqual(PAYLOAD);
    const nullParent = { ...PAYLOAD, parent_span_id: null, clock: [] };
    expect(decodeClockHeader(b64url(nullParent))).toEqual(nullParent);
    // Padding is tolerated on input, and so is surrounding whitespace.
    const padded = `v1;${Buffer.from(JSON.stringify(PAYLOAD)).toString('base64').replace(/\+/g, '-').replace(/\//g, '_')}`;
    expect(decodeClockHeader(`  ${padded} `)).toEqual(PAYLOAD);
  });

  it('keeps only well-formed [string, non-negative integer] clock pairs', () => {
    const v = b64url({
      ...PAYLOAD,
      clock: [['a#1', 2], ['b#1', -1], ['c#1', 1.5], [3, 3], ['d#1'], 'e', ['f#1', 0], ['', 4]],
    });
    expect(decodeClockHeader(v)?.clock).toEqual([
      ['a#1', 2],
      ['f#1', 0],
    ]);
  });

  it.each([
    ['absent', undefined],
    ['another version', HEADER.replace('v1;', 'v2;')],
    ['no prefix', HEADER.slice(3)],
    ['not base64url', 'v1;abc+def/'],
    ['empty payload', 'v1;'],
    ['not JSON', `v1;${Buffer.from('{nope').toString('base64url')}`],
    ['a JSON array', b64url([1, 2])],
    ['no trace_id', b64url({ ...PAYLOAD, trace_id: undefined })],
    [
      'a 32-hex trace id instead of a UUID',
      b64url({ ...PAYLOAD, trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }),
    ],
    ['a short span id', b64url({ ...PAYLOAD, span_id: '00f067aa' })],
    ['too long', `v1;${'A'.repeat(9000)}`],
  ])('ignores a malformed header: %s', (_what, value) => {
    expect(decodeClockHeader(value)).toBeUndefined();
  });

  it('writes at most 64 clock entries, the caller’s own first', () => {
    const clock = Array.from({ length: 100 }, (_, i): [string, number] => [`s#${i}`, i + 1]);
    const decoded = decodeClockHeader(encodeClockHeader({ ...PAYLOAD, clock }));
    expect(decoded?.clock).toHaveLength(MAX_HEADER_CLOCK_ENTRIES);
    expect(decoded?.clock[0]).toEqual(['s#0', 1]);
  });

  it('is linear on adversarial input', () => {
    const start = performance.now();
    for (let i = 0; i < 200; i++) decodeClockHeader(`v1;${'A'.repeat(8000)}!`);
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('raceway-clock propagator (extraction)', () => {
  const T = '4bf92f3577b34da6a3ce929d0e0e4736';

  it('alone, continues the trace from the header: trace id from the UUID, parent = span_id', () => {
    const ctx = racewayClockPropagator.extract({ 'raceway-clock': HEADER }, headerGetter);
    expect(ctx).toEqual({
      traceId: T,
      parentSpanId: '00f067aa0ba902b7',
      source: 'raceway-clock',
      propagationData: { 'raceway-clock': HEADER },
    });
  });

  it('next to a traceparent, rides along in propagationData while w3c decides the trace', () => {
    const p = new CompositePropagator(['w3c', 'allstak', racewayClockPropagator]);
    const ctx = p.extract(
      { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'raceway-clock': HEADER },
      headerGetter,
    );
    expect(ctx?.source).toBe('w3c');
    expect(ctx?.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(ctx?.propagationData).toEqual({ 'raceway-clock': HEADER });
  });

  it('ignores malformed and repeated headers', () => {
    expect(racewayClockPropagator.extract({ 'raceway-clock': 'v1;%%%' }, headerGetter)).toBeUndefined();
    expect(
      racewayClockPropagator.extract({ 'raceway-clock': [HEADER, HEADER] }, headerGetter),
    ).toBeUndefined();
    expect(racewayClockPropagator.extractData?.({ 'raceway-clock': 'v2;x' }, headerGetter)).toBeUndefined();
    const zero = b64url({ ...PAYLOAD, trace_id: '00000000-0000-0000-0000-000000000000' });
    expect(racewayClockPropagator.extract({ 'raceway-clock': zero }, headerGetter)).toBeUndefined();
  });

  it('writes nothing outbound while no exporter is set up', () => {
    const carrier: Record<string, string> = {};
    racewayClockPropagator.inject(
      { traceId: T, spanId: '00f067aa0ba902b7', sampled: true, traceFlags: 1 },
      carrier,
      (c, k, v) => {
        c[k] = v;
      },
    );
    expect(carrier).toEqual({});
  });
});
