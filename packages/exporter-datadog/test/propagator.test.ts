import { close, continueTrace, getTraceHeaders, headerGetter, headerSetter, init, startSpan } from '@sightline/core';
import { afterEach, describe, expect, it } from 'vitest';
import { datadogExporter, datadogPropagator } from '../src/index.js';

const extract = (h: Record<string, string | string[]>) => datadogPropagator.extract(h, headerGetter);

function inject(ctx: Parameters<typeof datadogPropagator.inject>[0]): Record<string, string> {
  const out: Record<string, string> = {};
  datadogPropagator.inject(ctx, out, headerSetter);
  return out;
}

// 2^64 - 1 and a value above 2^53 whose float rounding would be visible.
const MAX_U64 = '18446744073709551615';
const BIG = '12345678901234567891';
const BIG_HEX = BigInt(BIG).toString(16).padStart(16, '0');

afterEach(async () => {
  await close(100);
});

describe('datadog propagator: extract', () => {
  it('reads decimal 64-bit ids, priority, origin and _dd.p.* tags', () => {
    const ctx = extract({
      'x-datadog-trace-id': BIG,
      'x-datadog-parent-id': MAX_U64,
      'x-datadog-sampling-priority': '2',
      'x-datadog-origin': 'synthetics',
      'x-datadog-tags': '_dd.p.dm=-4,_dd.p.usr.id=abc',
    });
    expect(ctx).toEqual({
      traceId: `0000000000000000${BIG_HEX}`,
      parentSpanId: 'ffffffffffffffff',
      sampled: true,
      traceFlags: 1,
      source: 'datadog',
      propagationData: { '_dd.p.dm': '-4', '_dd.p.usr.id': 'abc', 'datadog.sampling_priority': '2', 'datadog.origin': 'synthetics' },
    });
  });

  it('rebuilds a 128-bit trace id from _dd.p.tid, and skips an invalid tid alone', () => {
    const ctx = extract({ 'x-datadog-trace-id': '1', 'x-datadog-parent-id': '2', 'x-datadog-tags': '_dd.p.tid=640cfd8d00000000,_dd.p.dm=-1' });
    expect(ctx?.traceId).toBe('640cfd8d000000000000000000000001');
    expect(ctx?.parentSpanId).toBe('0000000000000002');
    expect(ctx?.propagationData).toEqual({ '_dd.p.dm': '-1' });
    const bad = extract({ 'x-datadog-trace-id': '1', 'x-datadog-parent-id': '2', 'x-datadog-tags': '_dd.p.tid=XYZ,_dd.p.dm=-1' });
    expect(bad?.traceId).toBe('00000000000000000000000000000001');
    expect(bad?.propagationData).toEqual({ '_dd.p.dm': '-1' });
  });

  it('priority ≤ 0 means not sampled; no priority leaves the decision to the sampler', () => {
    expect(extract({ 'x-datadog-trace-id': '5', 'x-datadog-parent-id': '6', 'x-datadog-sampling-priority': '-1' })).toMatchObject({ sampled: false, traceFlags: 0 });
    expect(extract({ 'x-datadog-trace-id': '5', 'x-datadog-parent-id': '6', 'x-datadog-sampling-priority': '0' })?.sampled).toBe(false);
    const none = extract({ 'x-datadog-trace-id': '5', 'x-datadog-parent-id': '6' });
    expect(none?.sampled).toBeUndefined();
    expect(none?.propagationData).toBeUndefined();
    expect(extract({ 'x-datadog-trace-id': '5' })?.parentSpanId).toBe('');
  });

  it('rejects malformed ids and ignores malformed tags, origins and priorities', () => {
    for (const id of ['0', '-1', '18446744073709551616', '1e3', 'abc', ' ', '123456789012345678901', '0x10']) {
      expect(extract({ 'x-datadog-trace-id': id, 'x-datadog-parent-id': '1' })).toBeUndefined();
    }
    expect(extract({ 'x-datadog-trace-id': '1', 'x-datadog-parent-id': 'x' })).toBeUndefined();
    expect(extract({ 'x-datadog-trace-id': ['1', '2'], 'x-datadog-parent-id': '1' })).toBeUndefined();
    const ctx = extract({
      'x-datadog-trace-id': '7',
      'x-datadog-parent-id': '8',
      'x-datadog-sampling-priority': 'high',
      'x-datadog-origin': 'a,b',
      'x-datadog-tags': '_dd.p.ok=1,notdd=2',
    });
    expect(ctx?.propagationData).toBeUndefined();
    expect(ctx?.sampled).toBeUndefined();
    const long = `_dd.p.x=${'a'.repeat(520)}`;
    expect(extract({ 'x-datadog-trace-id': '7', 'x-datadog-parent-id': '8', 'x-datadog-tags': long })?.propagationData).toBeUndefined();
    // Linear on hostile input.
    const t0 = performance.now();
    extract({ 'x-datadog-trace-id': '7', 'x-datadog-parent-id': '8', 'x-datadog-tags': `_dd.p.${'='.repeat(50_000)}`, 'x-datadog-origin': '!'.repeat(50_000) });
    expect(performance.now() - t0).toBeLessThan(50);
  });

  it('keeps tracestate when traceparent carries the same trace', () => {
    const trace = `640cfd8d00000000${BIG_HEX}`;
    const headers = {
      'x-datadog-trace-id': BIG,
      'x-datadog-parent-id': '1',
      'x-datadog-tags': '_dd.p.tid=640cfd8d00000000',
      traceparent: `00-${trace}-00000000000000aa-01`,
      tracestate: 'dd=s:2;o:rum,other=x',
    };
    expect(extract(headers)?.traceState).toBe('dd=s:2;o:rum,other=x');
    expect(extract({ ...headers, traceparent: `00-${'1'.repeat(32)}-00000000000000aa-01` })?.traceState).toBeUndefined();
  });
});

describe('datadog propagator: inject', () => {
  const base = { traceId: `640cfd8d00000000${BIG_HEX}`, spanId: 'ffffffffffffffff', sampled: true, traceFlags: 1 };

  it('writes decimal low 64 bits, the span id, priority and _dd.p.tid for 128-bit ids', () => {
    expect(inject(base)).toEqual({
      'x-datadog-trace-id': BIG,
      'x-datadog-parent-id': MAX_U64,
      'x-datadog-sampling-priority': '1',
      'x-datadog-tags': '_dd.p.tid=640cfd8d00000000',
    });
    expect(inject({ ...base, traceId: `0000000000000000${BIG_HEX}`, sampled: false, traceFlags: 0 })).toEqual({
      'x-datadog-trace-id': BIG,
      'x-datadog-parent-id': MAX_U64,
      'x-datadog-sampling-priority': '0',
    });
  });

  it('writes back the inbound priority, origin and tags while the decision agrees', () => {
    const data = { 'datadog.sampling_priority': '2', 'datadog.origin': 'rum', '_dd.p.dm': '-3' };
    expect(inject({ ...base, propagationData: data })).toMatchObject({
      'x-datadog-sampling-priority': '2',
      'x-datadog-origin': 'rum',
      'x-datadog-tags': '_dd.p.tid=640cfd8d00000000,_dd.p.dm=-3',
    });
    // The local sampler said no after all: AUTO_REJECT, not a stale USER_KEEP.
    expect(inject({ ...base, sampled: false, propagationData: data })['x-datadog-sampling-priority']).toBe('0');
    expect(inject({ ...base, traceId: 'not-hex' })).toEqual({});
  });

  it('round-trips through a Sightline service: continueTrace → spans → getTraceHeaders', () => {
    init({ exporters: [datadogExporter({ url: 'http://127.0.0.1:9', variables: {} })], propagators: ['datadog', 'w3c'], defaultIntegrations: false });
    const inbound = {
      'x-datadog-trace-id': BIG,
      'x-datadog-parent-id': '42',
      'x-datadog-sampling-priority': '2',
      'x-datadog-origin': 'synthetics',
      'x-datadog-tags': '_dd.p.tid=640cfd8d00000000,_dd.p.dm=-3',
    };
    let out: Record<string, string> = {};
    let spanId = '';
    continueTrace(inbound, () =>
      startSpan('work', (span) => {
        spanId = span.spanId;
        expect(span.traceId).toBe(`640cfd8d00000000${BIG_HEX}`);
        expect(span.parentSpanId).toBe('000000000000002a');
        out = getTraceHeaders();
      }),
    );
    expect(out).toMatchObject({
      'x-datadog-trace-id': BIG,
      'x-datadog-parent-id': BigInt(`0x${spanId}`).toString(),
      'x-datadog-sampling-priority': '2',
      'x-datadog-origin': 'synthetics',
      'x-datadog-tags': '_dd.p.tid=640cfd8d00000000,_dd.p.dm=-3',
      traceparent: `00-640cfd8d00000000${BIG_HEX}-${spanId}-01`,
    });
  });

  it('keeps the Datadog priority and tags when w3c is listed first and names the same trace', () => {
    init({ exporters: [datadogExporter({ url: 'http://127.0.0.1:9', variables: {} })], propagators: ['w3c', 'datadog'], defaultIntegrations: false });
    const trace = `640cfd8d00000000${BIG_HEX}`;
    const headers = {
      traceparent: `00-${trace}-00000000000000aa-01`,
      'x-datadog-trace-id': BIG,
      'x-datadog-parent-id': '170',
      'x-datadog-sampling-priority': '2',
      'x-datadog-tags': '_dd.p.tid=640cfd8d00000000,_dd.p.dm=-3',
    };
    let out: Record<string, string> = {};
    continueTrace(headers, () => startSpan('w', () => (out = getTraceHeaders())));
    expect(out['x-datadog-sampling-priority']).toBe('2');
    expect(out['x-datadog-tags']).toBe('_dd.p.tid=640cfd8d00000000,_dd.p.dm=-3');
    // A Datadog header for another trace is not mixed in.
    continueTrace({ ...headers, 'x-datadog-trace-id': '99' }, () => startSpan('w', () => (out = getTraceHeaders())));
    expect(out['x-datadog-sampling-priority']).toBe('1');
    expect(out['x-datadog-tags']).toBe('_dd.p.tid=640cfd8d00000000');
  });
});
