import { describe, expect, it } from 'vitest';
import { captureException, logger } from '../src/api.js';
import { getActiveSpan } from '../src/hub.js';
import { continueTrace, getTraceHeaders, startInactiveSpan, startSpan } from '../src/tracing/api.js';
import { sleep, useIngest } from './helpers/setup.js';

const t = useIngest();
const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const P = '00f067aa0ba902b7';

describe('spans', () => {
  it('nests, ends on return and on settle, and links parents', async () => {
    t.start();
    const result = await startSpan({ name: 'outer' }, async (outer) => {
      expect(getActiveSpan()).toBe(outer);
      const inner = startSpan('inner-sync', (s) => {
        expect(getActiveSpan()).toBe(s);
        return s;
      });
      expect(inner.isEnded()).toBe(true);
      await sleep(5);
      expect(getActiveSpan()).toBe(outer);
      return 42;
    });
    expect(result).toBe(42);
    expect(getActiveSpan()).toBeUndefined();
    const spans = await t.server.waitFor('spans', 2);
    const outer = spans.find((s) => s.operation === 'outer');
    const inner = spans.find((s) => s.operation === 'inner-sync');
    expect(outer.parentSpanId).toBe('');
    expect(inner.parentSpanId).toBe(outer.spanId);
    expect(inner.traceId).toBe(outer.traceId);
    expect(outer.durationMs).toBeGreaterThanOrEqual(4);
    expect(outer).toMatchObject({ status: 'ok', tags: { 'span.kind': 'internal' } });
    expect(outer.endTimeMillis).toBeGreaterThanOrEqual(outer.startTimeMillis);
  });

  it('marks error on throw and on rejection, and rethrows unchanged', async () => {
    t.start();
    const boom = new Error('sync boom');
    expect(() => startSpan('sync', () => { throw boom; })).toThrow(boom);
    await expect(startSpan('async', async () => { throw new Error('async boom'); })).rejects.toThrow('async boom');
    const spans = await t.server.waitFor('spans', 2);
    expect(spans.map((s) => s.status)).toEqual(['error', 'error']);
    expect(JSON.parse(spans[0].data).events[0].attributes['exception.message']).toBe('sync boom');
  });

  it('startInactiveSpan is not active and is sent when ended', async () => {
    t.start();
    const s = startInactiveSpan({ name: 'manual', kind: 'client' });
    expect(getActiveSpan()).toBeUndefined();
    s.setTag('k', 'v').end();
    const [span] = await t.server.waitFor('spans', 1);
    expect(span).toMatchObject({ operation: 'manual', tags: { k: 'v', 'span.kind': 'client' } });
  });

  it('events and logs inside a span carry its trace and span id', async () => {
    t.start();
    let ids: { traceId: string; spanId: string } | undefined;
    startSpan('op', (s) => {
      ids = { traceId: s.traceId, spanId: s.spanId };
      captureException(new Error('in span'));
      logger.warn('in span', { n: 1 });
    });
    const [e] = await t.server.waitFor('errors', 1);
    const [l] = await t.server.waitFor('logs', 1);
    expect(e).toMatchObject(ids!);
    expect(l).toMatchObject({ ...ids, level: 'warn', metadata: { n: 1 } });
  });
});

describe('sampling', () => {
  it('tracesSampleRate 0 sends no spans but still propagates -00', async () => {
    t.start({ tracesSampleRate: 0 });
    let headers: Record<string, string> = {};
    startSpan('unsampled', () => {
      headers = getTraceHeaders();
    });
    expect(headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-02$/);
    await t.client.flush(1000);
    expect(t.server.items('spans')).toHaveLength(0);
  });

  it('tracesSampler decides at the root; children inherit', async () => {
    t.start({ tracesSampler: (ctx) => ctx.name.startsWith('keep') });
    startSpan('keep-root', () => startSpan('child', () => undefined));
    startSpan('drop-root', () => startSpan('child-2', () => undefined));
    await t.client.flush(1000);
    expect(t.server.items('spans').map((s) => s.operation).sort()).toEqual(['child', 'keep-root']);
  });

  it('an inbound sampled flag wins over the local rate (parent-based)', async () => {
    t.start({ tracesSampleRate: 0 });
    continueTrace({ traceparent: `00-${T}-${P}-01` }, () => startSpan('continued', () => undefined));
    continueTrace({ traceparent: `00-${'c'.repeat(32)}-${P}-00` }, () => startSpan('not-sampled', () => undefined));
    await t.client.flush(1000);
    const spans = t.server.items('spans');
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({ operation: 'continued', traceId: T, parentSpanId: P });
  });

  it('a throwing or invalid tracesSampler does not sample', async () => {
    t.start({ tracesSampler: () => { throw new Error('x'); } });
    startSpan('a', () => undefined);
    await t.client.close(1000);
    t.start({ tracesSampler: () => 7 });
    startSpan('b', () => undefined);
    await t.client.flush(1000);
    expect(t.server.items('spans')).toHaveLength(0);
  });
});

describe('continueTrace / getTraceHeaders', () => {
  it('getTraceHeaders writes W3C, AllStak and baggage for the active span; carries trace flags and tracestate', () => {
    t.start();
    continueTrace({ traceparent: `00-${T}-${P}-03`, tracestate: 'vendor=abc', baggage: 'user=alice' }, () =>
      startSpan('op', (s) => {
        const h = getTraceHeaders();
        expect(h.traceparent).toBe(`00-${T}-${s.spanId}-03`);
        expect(h.tracestate).toBe('vendor=abc');
        expect(h['allstak-trace']).toBe(`${T}-${s.spanId}-1`);
        expect(h['x-allstak-trace-id']).toBe(T);
        expect(h.baggage).toBe(`allstak-trace_id=${T},allstak-span_id=${s.spanId},user=alice`);
      }),
    );
  });

  it('invalid headers start a new trace', () => {
    t.start();
    continueTrace({ traceparent: `ff-${T}-${P}-01` }, () =>
      startSpan('op', (s) => {
        expect(s.traceId).not.toBe(T);
        expect(s.parentSpanId).toBe('');
      }),
    );
  });

  it('is a no-op before init', async () => {
    const { getProcessHub } = await import('../src/hub.js');
    const hub = getProcessHub();
    const saved = hub.client;
    hub.client = undefined;
    try {
      expect(startSpan('x', (s) => s.isRecording())).toBe(false);
      expect(getTraceHeaders()).toEqual({});
      expect(captureException(new Error('x'))).toBeUndefined();
    } finally {
      hub.client = saved;
    }
  });
});
