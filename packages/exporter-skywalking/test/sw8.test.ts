import { type InjectContext, type PropagationSpan, headerGetter, headerSetter } from '@sightline/core';
import { describe, expect, it } from 'vitest';
import { sw8Propagator } from '../src/index.js';
import { modelParentSpanId, modelTraceId } from '../src/ids.js';
import { parseCorrelation, parseSw8, parseSw8X } from '../src/sw8.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const sw8 = (f: string[]) => f.join('-');

// The spec's sample, `1-TRACEID-SEGMENTID-3-PARENT_SERVICE-PARENT_INSTANCE-PARENT_ENDPOINT-IPPORT`,
// with its base64 fields encoded as the protocol says.
const SPEC_SAMPLE = sw8([
  '1',
  b64('TRACEID'),
  b64('SEGMENTID'),
  '3',
  b64('PARENT_SERVICE'),
  b64('PARENT_INSTANCE'),
  b64('PARENT_ENDPOINT'),
  b64('IPPORT'),
]);
// What skywalking-backend-js 0.9.0 sent on an outbound http.request (captured from the agent).
const NODE_AGENT =
  '1-YzhmYjIwZjZlMGY0NGQyNjg5MWFhYzQ2NzY4MGY2ODk=-YjgxZDAzM2ZhNzVmNGFlNWI3ZDA0MDE1ZDEwNjA1Zjc=-1-c3ctdXBzdHJlYW0=-dXAtMQ==-L2Rvd24=-MTI3LjAuMC4xOjM4MzIz';

const extract = (headers: Record<string, string | string[]>) => sw8Propagator.extract(headers, headerGetter);

describe('sw8 extract', () => {
  it('reads the spec sample: non-hex trace ids are hashed, the SkyWalking parent travels in propagationData', () => {
    const ctx = extract({ sw8: SPEC_SAMPLE });
    expect(ctx).toEqual({
      traceId: modelTraceId('TRACEID'),
      parentSpanId: modelParentSpanId('SEGMENTID', 3),
      sampled: true,
      traceFlags: 1,
      source: 'sw8',
      propagationData: {
        'sw8.traceId': 'TRACEID',
        'sw8.segmentId': 'SEGMENTID',
        'sw8.spanId': '3',
        'sw8.service': 'PARENT_SERVICE',
        'sw8.instance': 'PARENT_INSTANCE',
        'sw8.endpoint': 'PARENT_ENDPOINT',
        'sw8.address': 'IPPORT',
      },
    });
    expect(ctx?.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(ctx?.parentSpanId).toMatch(/^[0-9a-f]{16}$/);
  });

  it("keeps the Node agent's 32-hex trace id as Sightline's trace id", () => {
    const ctx = extract({ sw8: NODE_AGENT });
    expect(ctx?.traceId).toBe('c8fb20f6e0f44d26891aac467680f689');
    expect(ctx?.propagationData).toMatchObject({
      'sw8.segmentId': 'b81d033fa75f4ae5b7d04015d10605f7',
      'sw8.spanId': '1',
      'sw8.service': 'sw-upstream',
      'sw8.instance': 'up-1',
      'sw8.endpoint': '/down',
      'sw8.address': '127.0.0.1:38323',
    });
  });

  it('sample 0 leaves the decision to the local sampler', () => {
    const ctx = extract({ sw8: `0${SPEC_SAMPLE.slice(1)}` });
    expect(ctx?.sampled).toBeUndefined();
    expect(ctx?.traceFlags).toBeUndefined();
  });

  it.each([
    ['7 fields', sw8(['1', b64('T'), b64('S'), '3', b64('svc'), b64('inst'), b64('ep')])],
    ['9 fields', `${SPEC_SAMPLE}-${b64('x')}`],
    ['sample 2', `2${SPEC_SAMPLE.slice(1)}`],
    ['non-integer span id', sw8(['1', b64('T'), b64('S'), 'x', b64('svc'), b64('i'), b64('ep'), b64('a')])],
    ['negative span id', sw8(['1', b64('T'), b64('S'), '', b64('svc'), b64('i'), b64('ep'), b64('a')])],
    [
      'span id past int32',
      sw8(['1', b64('T'), b64('S'), '2147483648', b64('svc'), b64('i'), b64('ep'), b64('a')]),
    ],
    ['empty trace id', sw8(['1', '', b64('S'), '3', b64('svc'), b64('i'), b64('ep'), b64('a')])],
    ['empty service', sw8(['1', b64('T'), b64('S'), '3', '', b64('i'), b64('ep'), b64('a')])],
    ['empty endpoint', sw8(['1', b64('T'), b64('S'), '3', b64('svc'), b64('i'), '', b64('a')])],
    ['not base64', sw8(['1', 'T*R', b64('S'), '3', b64('svc'), b64('i'), b64('ep'), b64('a')])],
    ['control characters', sw8(['1', b64('T\nX'), b64('S'), '3', b64('svc'), b64('i'), b64('ep'), b64('a')])],
    ['too long', sw8(['1', b64('T'), b64('S'), '3', b64('svc'), b64('i'), b64('e'.repeat(1600)), b64('a')])],
    ['empty', ''],
  ])('ignores an invalid header: %s', (_name, value) => {
    expect(extract({ sw8: value })).toBeUndefined();
  });

  it('ignores a repeated sw8 header', () => {
    expect(extract({ sw8: [SPEC_SAMPLE, SPEC_SAMPLE] })).toBeUndefined();
  });

  it('accepts an empty instance and target address (the Node agent only requires them defined)', () => {
    expect(parseSw8(sw8(['1', b64('T'), b64('S'), '0', b64('svc'), '', b64('ep'), '']))).toMatchObject({
      instance: '',
      address: '',
    });
  });

  it('is linear on hostile input', () => {
    const start = performance.now();
    for (let i = 0; i < 200; i++)
      extract({
        sw8: `1-${'A'.repeat(2000)}=`,
        'sw8-correlation': `${'QQ=='.repeat(250)}:`,
        'sw8-x': '1-'.repeat(120),
      });
    expect(performance.now() - start).toBeLessThan(500);
  });
});

describe('sw8-correlation and sw8-x', () => {
  it('keeps valid correlation pairs, later keys override earlier ones, at most 3', () => {
    const pair = (k: string, v: string) => `${b64(k)}:${b64(v)}`;
    expect(parseCorrelation([pair('a', '1'), 'garbage', pair('b', '2'), pair('a', '3')].join(','))).toBe(
      [pair('b', '2'), pair('a', '3')].join(','),
    );
    expect(parseCorrelation([pair('a', '1'), pair('b', '2'), pair('c', '3'), pair('d', '4')].join(','))).toBe(
      [pair('b', '2'), pair('c', '3'), pair('d', '4')].join(','),
    );
    expect(parseCorrelation(pair('big', 'x'.repeat(129)))).toBeUndefined();
    expect(parseCorrelation('a:b:c')).toBeUndefined();
  });

  it('parses the tracing mode and send time, ignoring a malformed value', () => {
    expect(parseSw8X('1')).toEqual({ skipAnalysis: true, sendTime: undefined });
    expect(parseSw8X('0-1700000000000')).toEqual({ skipAnalysis: false, sendTime: '1700000000000' });
    expect(parseSw8X('-1700000000000')).toEqual({ skipAnalysis: false, sendTime: '1700000000000' });
    expect(parseSw8X('2')).toBeUndefined();
    expect(parseSw8X('1-abc')).toEqual({ skipAnalysis: true, sendTime: undefined });
  });

  it('extract carries correlation and sw8-x only alongside a valid sw8', () => {
    const corr = `${b64('user')}:${b64('alice')}`;
    const ctx = extract({ sw8: SPEC_SAMPLE, 'sw8-correlation': corr, 'sw8-x': '1-1700000000000' });
    expect(ctx?.propagationData).toMatchObject({
      'sw8.correlation': corr,
      'sw8.skipAnalysis': '1',
      'sw8.sendTime': '1700000000000',
    });
    expect(extract({ 'sw8-correlation': corr, 'sw8-x': '1' })).toBeUndefined();
  });
});

describe('sw8 inject', () => {
  const root: PropagationSpan = {
    spanId: 'aaaaaaaaaaaaaaaa',
    name: 'GET /orders/:id',
    kind: 'server',
    tags: undefined,
    get localRoot() {
      return root;
    },
  };
  const exit: PropagationSpan = {
    spanId: 'bbbbbbbbbbbbbbbb',
    name: 'http.client',
    kind: 'client',
    tags: { 'server.address': 'inventory.internal', 'http.url': 'https://inventory.internal/items' },
    localRoot: root,
  };
  const base: InjectContext = {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: exit.spanId,
    sampled: true,
    traceFlags: 1,
    span: exit,
  };
  const inject = (ctx: InjectContext) => {
    const out: Record<string, string> = {};
    sw8Propagator.inject(ctx, out, headerSetter);
    return out;
  };

  it('names this process: segment of the local root, its endpoint, and host:port of the call', () => {
    const out = inject(base);
    const p = parseSw8(out.sw8);
    expect(p).toMatchObject({
      sample: true,
      traceId: base.traceId,
      segmentId: `${base.traceId}.${root.spanId}`,
      endpoint: 'GET /orders/:id',
      address: 'inventory.internal:443',
    });
    expect(p?.service.length).toBeGreaterThan(0);
    expect(p?.instance).toMatch(/^[0-9a-f]{32}@/);
    expect(out['sw8-correlation']).toBeUndefined();
    expect(out['sw8-x']).toBeUndefined();
  });

  it('keeps the inbound SkyWalking trace id, forwards correlation and tracing mode 1', () => {
    const out = inject({
      ...base,
      sampled: false,
      propagationData: {
        'sw8.traceId': 'TRACEID',
        'sw8.segmentId': 'S',
        'sw8.correlation': 'YQ==:Yg==',
        'sw8.skipAnalysis': '1',
      },
    });
    expect(parseSw8(out.sw8)).toMatchObject({ sample: false, traceId: 'TRACEID' });
    expect(out['sw8-correlation']).toBe('YQ==:Yg==');
    expect(out['sw8-x']).toBe('1');
  });

  it('without a local span forwards the inbound context unchanged, and writes nothing without one', () => {
    const fromSpec = extract({ sw8: SPEC_SAMPLE });
    const out = inject({ ...base, span: undefined, propagationData: fromSpec?.propagationData });
    expect(out.sw8).toBe(SPEC_SAMPLE);
    expect(inject({ ...base, span: undefined })).toEqual({});
  });

  it('round-trips through extract', () => {
    const out = inject(base);
    const back = extract(out);
    expect(back?.traceId).toBe(base.traceId);
    expect(back?.propagationData?.['sw8.segmentId']).toBe(`${base.traceId}.${root.spanId}`);
  });
});
