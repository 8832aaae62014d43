import type { ErrorEvent, StackFrameModel } from '@sightline/core';
import { describe, expect, it } from 'vitest';
import { mapEvent, toLevel } from '../src/map-event.js';
import { fitEvent } from '../src/truncate.js';

const ctx = { environment: 'prod', release: '1.2.3', sdkVersion: '0.1.0' };

function frame(i: number, inApp = true): StackFrameModel {
  return {
    filename: `src/f${i}.js`,
    absPath: `/app/src/f${i}.js`,
    function: `fn${i}`,
    lineno: i + 1,
    colno: 3,
    inApp,
    contextLine: `line ${i}`,
    preContext: Array.from({ length: 7 }, (_, k) => `pre ${k}`),
    postContext: Array.from({ length: 7 }, (_, k) => `post ${k} ${'y'.repeat(300)}`),
  };
}

function event(over: Partial<ErrorEvent> = {}): ErrorEvent {
  return {
    eventId: 'e1',
    timestamp: Date.UTC(2026, 0, 2, 3, 4, 5, 678),
    level: 'error',
    exception: { type: 'RangeError', value: 'out of range', frames: [frame(0), frame(1, false), frame(2)] },
    causes: [],
    handled: false,
    breadcrumbs: [],
    tags: {},
    extras: {},
    contexts: {},
    ...over,
  };
}

describe('mapEvent', () => {
  it('maps frames oldest first with source context on in-app frames only, within the limits', () => {
    const e = mapEvent(event(), ctx);
    expect(e.timestamp).toBe('2026-01-02T03:04:05.678Z');
    expect(e.message).toBe('RangeError: out of range');
    expect(e.backtrace).toBe(
      [
        'RangeError: out of range',
        '    at fn2 (/app/src/f2.js:3:3)',
        '    at fn1 (/app/src/f1.js:2:3)',
        '    at fn0 (/app/src/f0.js:1:3)',
      ].join('\n'),
    );
    const frames = e.metadata.exception_frames ?? [];
    expect(frames.map((f) => f.function)).toEqual(['fn0', 'fn1', 'fn2']);
    expect(frames[1]).toEqual({
      filename: 'src/f1.js',
      abs_path: '/app/src/f1.js',
      lineno: 2,
      function: 'fn1',
      in_app: false,
    });
    expect(frames[0]?.pre_context).toEqual(['pre 2', 'pre 3', 'pre 4', 'pre 5', 'pre 6']);
    expect(frames[0]?.post_context).toHaveLength(5);
    expect(frames[0]?.post_context?.every((l) => l.length === 256)).toBe(true);
    expect(e.metadata).toMatchObject({ exception_class: 'RangeError', handled: false });
    expect(e).not.toHaveProperty('user');
    expect(e).not.toHaveProperty('tags');
    expect(e).not.toHaveProperty('breadcrumbs');
  });

  it('caps frames (innermost 50), causes (5), breadcrumbs (latest 50), tags (30) and message (10 000)', () => {
    const e = mapEvent(
      event({
        exception: {
          type: 'Error',
          value: 'm'.repeat(20_000),
          frames: Array.from({ length: 80 }, (_, i) => frame(i)),
        },
        causes: Array.from({ length: 7 }, (_, i) => ({
          type: 'Error',
          value: `c${i}`,
          frames: Array.from({ length: 30 }, (_, k) => frame(k)),
        })),
        breadcrumbs: Array.from({ length: 60 }, (_, i) => ({
          message: `b${i}`,
          level: 'warn' as const,
          timestamp: 1,
        })),
        tags: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`t${i}`, 'v'.repeat(300)])),
      }),
      ctx,
    );
    expect(e.message).toHaveLength(10_000);
    expect(e.metadata.exception_frames).toHaveLength(50);
    expect(e.metadata.exception_frames?.[0]?.function).toBe('fn30');
    expect(e.metadata.exception_causes).toHaveLength(5);
    expect(e.metadata.exception_causes?.[0]?.backtrace).toHaveLength(20);
    expect(e.breadcrumbs).toHaveLength(50);
    expect(e.breadcrumbs?.[0]).toEqual({
      timestamp: '1970-01-01T00:00:00.001Z',
      category: 'default',
      level: 'warning',
      message: 'b10',
    });
    expect(Object.keys(e.tags ?? {})).toHaveLength(30);
    expect(e.tags?.t0).toHaveLength(200);
  });

  it('captured messages have no exception class or backtrace', () => {
    const e = mapEvent(
      event({ level: 'warning', exception: { type: 'Message', value: 'hello', frames: [frame(0)] } }),
      ctx,
    );
    expect(e).toMatchObject({ level: 'warning', message: 'hello' });
    expect(e.metadata.exception_class).toBeUndefined();
    expect(e.backtrace).toBeUndefined();
  });

  it('levels: warn → warning, unknown → info', () => {
    expect(toLevel('warn')).toBe('warning');
    expect(toLevel('fatal')).toBe('fatal');
    expect(toLevel('critical')).toBe('info');
  });
});

describe('fitEvent', () => {
  it('returns the JSON unchanged when it fits, shortened and marked when it does not', () => {
    const small = mapEvent(event(), ctx);
    expect(fitEvent(small, 10_000)).toEqual({ json: JSON.stringify(small), truncated: false });
    const big = { ...small, metadata: { ...small.metadata, extra: { blob: 'z'.repeat(50_000) } } };
    const fitted = fitEvent(big, 10_000);
    expect(fitted?.truncated).toBe(true);
    expect(Buffer.byteLength(fitted?.json ?? '')).toBeLessThanOrEqual(10_000);
    expect(JSON.parse(fitted?.json ?? '{}').metadata).toMatchObject({
      truncated: true,
      exception_class: 'RangeError',
    });
    expect((big.metadata as Record<string, unknown>).truncated).toBeUndefined();
  });

  it('undefined when even the smallest form cannot fit', () => {
    expect(fitEvent(mapEvent(event(), ctx), 50)).toBeUndefined();
  });
});
