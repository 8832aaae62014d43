import { type Client, type Span, init, startInactiveSpan, startSpan } from '@sightline/core';
import { outboundHttpIntegration } from '@sightline/undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type SkyWalkingExporterStats, skywalkingExporter } from '../src/index.js';
import { type FakeOap, startFakeOap } from './helpers/oap.js';
import { type Downstream, type Service, call, startDownstream, startService } from './helpers/services.js';

/** Bounds, timing, sw8-x/correlation forwarding and delivery retries. */

const b64 = (s: string) => Buffer.from(s).toString('base64');
const sw8For = (trace: string) =>
  ['1', b64(trace), b64('parent-seg'), '0', b64('gateway'), b64('gw-1'), b64('/in'), b64('svc:80')].join('-');

let oap: FakeOap;
let down: Downstream;
let svc: Service;
let client: Client;

const segmentsOf = (traceId: string) => oap.segments().filter((s) => s.traceId === traceId);
const stats = () => client.getStats().exporters.skywalking as SkyWalkingExporterStats;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  oap = await startFakeOap();
  down = await startDownstream();
  svc = await startService({
    '/many': async (_req, res) => {
      for (let i = 0; i < 5; i++) startSpan({ name: `step-${i}` }, () => undefined);
      res.end('ok');
    },
    '/forward': async (_req, res) => {
      await fetch(`${down.url}/next`);
      res.end('ok');
    },
  });
  client = init({
    service: 'limits',
    defaultIntegrations: false,
    flushInterval: 20,
    exporters: [
      skywalkingExporter({
        address: `${oap.url}/`,
        serviceInstance: 'limits-1',
        segmentTimeout: 5000,
        maxSpansPerSegment: 3,
        maxBufferedSpans: 6,
        keepAliveInterval: 40,
        transport: { retryBaseMs: 10 },
      }),
    ],
    propagators: ['sw8', 'w3c'],
    integrations: [outboundHttpIntegration({ ignoreOutgoingRequests: (url) => url.startsWith(svc.url) })],
  });
});

afterEach(() => {
  expect(oap.invalid).toEqual([]);
});

afterAll(async () => {
  await client.close(2000);
  await Promise.all([svc.stop(), down.stop(), oap.stop()]);
});

describe('bounds', () => {
  it('caps spans per segment, keeping the entry span; the segment says isSizeLimited and drops are counted', async () => {
    const before = stats().segments?.droppedSpanLimit ?? 0;
    await call(`${svc.url}/many`, { sw8: sw8For('many-trace') });
    const [segment] = await oap.waitFor(() =>
      segmentsOf('many-trace').length ? segmentsOf('many-trace') : undefined,
    );
    expect(segment?.isSizeLimited).toBe(true);
    const spans = segment?.spans as Record<string, unknown>[];
    expect(spans.map((s) => s.operationName)).toEqual(['GET <unmatched>', 'step-0', 'step-1']);
    expect(spans[0]?.refs).toHaveLength(1);
    expect((stats().segments?.droppedSpanLimit ?? 0) - before).toBe(3);
  });

  it('past maxBufferedSpans the oldest open segment is sent early', async () => {
    const before = stats().segments?.sentEarly ?? 0;
    const roots: Span[] = [];
    for (let r = 0; r < 4; r++) {
      const root = startInactiveSpan({ name: `job-${r}`, parentSpan: null });
      roots.push(root);
      for (let i = 0; i < 2; i++) startInactiveSpan({ name: `job-${r}-step-${i}`, parentSpan: root }).end();
    }
    const first = roots[0] as Span;
    const [segment] = await oap.waitFor(() =>
      segmentsOf(first.traceId).length ? segmentsOf(first.traceId) : undefined,
    );
    expect(((segment?.spans ?? []) as Record<string, unknown>[]).map((s) => s.operationName).sort()).toEqual([
      'job-0-step-0',
      'job-0-step-1',
    ]);
    expect((stats().segments?.sentEarly ?? 0) - before).toBe(1);
    for (const root of roots) root.end();
    await oap.waitFor(() =>
      roots.every((r) =>
        segmentsOf(r.traceId).some((s) =>
          (s.spans as { spanType: string; operationName: string }[]).some((x) => x.operationName === r.name),
        ),
      ),
    );
  });

  it('flush sends ended segments but keeps a root that is still running; its end completes the segment', async () => {
    const root = startInactiveSpan({ name: 'batch', parentSpan: null });
    startInactiveSpan({ name: 'batch-step', parentSpan: root }).end();
    expect(await client.flush(2000)).toBe(true);
    await sleep(30);
    expect(segmentsOf(root.traceId)).toEqual([]);
    root.end();
    const [segment] = await oap.waitFor(() =>
      segmentsOf(root.traceId).length ? segmentsOf(root.traceId) : undefined,
    );
    expect(
      ((segment?.spans ?? []) as Record<string, unknown>[]).map((s) => [
        s.spanId,
        s.parentSpanId,
        s.operationName,
      ]),
    ).toEqual([
      [0, -1, 'batch'],
      [1, 0, 'batch-step'],
    ]);
  });
});

describe('sw8-x and sw8-correlation', () => {
  it('tracing mode 1 marks every span skipAnalysis and is passed on; correlation is forwarded; the send time becomes transmission.latency', async () => {
    const sent = Date.now() - 25;
    const corr = `${b64('tenant')}:${b64('acme')}`;
    await call(`${svc.url}/forward`, {
      sw8: sw8For('x-trace'),
      'sw8-x': `1-${sent}`,
      'sw8-correlation': corr,
    });
    const [segment] = await oap.waitFor(() =>
      segmentsOf('x-trace').length ? segmentsOf('x-trace') : undefined,
    );
    const spans = segment?.spans as { skipAnalysis: boolean; tags: { key: string; value: string }[] }[];
    expect(spans.map((s) => s.skipAnalysis)).toEqual([true, true]);
    const latency = spans[0]?.tags.find((t) => t.key === 'transmission.latency');
    expect(Number(latency?.value)).toBeGreaterThanOrEqual(25);
    expect(Number(latency?.value)).toBeLessThan(5000);
    const headers = down.received.find((r) => r.path === '/next')?.headers;
    expect(headers?.['sw8-x']).toBe('1');
    expect(headers?.['sw8-correlation']).toBe(corr);
  });
});

describe('delivery', () => {
  it('retries a segment after a 503 and delivers it once', async () => {
    oap.failNext('/v3/segments', 503);
    const before = stats().transport?.categories.segments?.retries ?? 0;
    startSpan({ name: 'retried', parentSpan: null }, () => undefined);
    await oap.waitFor(() =>
      oap.segments().find((s) => (s.spans as { operationName: string }[])[0]?.operationName === 'retried'),
    );
    await sleep(50);
    expect(
      oap.segments().filter((s) => (s.spans as { operationName: string }[])[0]?.operationName === 'retried'),
    ).toHaveLength(1);
    expect((stats().transport?.categories.segments?.retries ?? 0) - before).toBeGreaterThanOrEqual(1);
  });

  it('repeats the instance heartbeat every keepAliveInterval', async () => {
    const n = oap.keepAlives().length;
    await oap.waitFor(() => oap.keepAlives().length >= n + 3 && oap.properties().length >= n + 3);
    expect(oap.keepAlives().every((k) => k.service === 'limits' && k.serviceInstance === 'limits-1')).toBe(
      true,
    );
  });

  it('posts to the configured address (a trailing slash is trimmed)', () => {
    expect(oap.requests.every((r) => r.path.startsWith('/v3/'))).toBe(true);
  });
});
