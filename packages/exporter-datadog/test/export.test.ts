import { type Client, captureException, close, getCurrentClient, getLogCorrelationFields, init, startSpan } from '@sightline/core';
import {
  type Listening,
  type Receiver,
  TEST_API_KEY,
  startIngestServer,
  startInstrumentedApp,
  startReceiver,
} from '@sightline/testkit';
import { type OutboundHttpHandle, instrumentOutboundHttp } from '@sightline/undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DatadogExporterStats, datadogExporter } from '../src/index.js';
import { type AgentSpan, spansOf, tracesOf } from './helpers/payload.js';

const RATES = '{"rate_by_service":{"service:checkout,env:staging":0.25,"service:,env:":1}}';
// A 64-bit id above 2^53 (float rounding would change it) and a 128-bit trace id's high half.
const LOW = '12345678901234567891';
const TID = '640cfd8d00000000';

let agent: Receiver;
let apps: Listening[] = [];
let outbound: OutboundHttpHandle | undefined;

beforeEach(async () => {
  agent = await startReceiver(RATES);
});

afterEach(async () => {
  outbound?.disable();
  outbound = undefined;
  await close(500);
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
  await agent.stop();
});

const base = { service: 'checkout', release: '3.1.0', environment: 'staging', flushInterval: 20, defaultIntegrations: false } as const;

function stats(client: Client): DatadogExporterStats {
  return client.getStats().exporters.datadog as DatadogExporterStats;
}

describe('Datadog agent v0.4 intake', () => {
  it('PUTs JSON traces with exact uint64 ids, ns times, names, meta and metrics', async () => {
    const client = init({ ...base, exporters: [datadogExporter({ url: agent.url, variables: {} })], propagators: ['datadog', 'w3c'] });
    outbound = instrumentOutboundHttp({ breadcrumbs: false });
    const downstream = await startInstrumentedApp({ '/stock/:sku': (_req, res) => res.end('ok') });
    const app = await startInstrumentedApp({
      '/users/:id': async (req, res) => {
        await (await fetch(`${downstream.url}/stock/1`)).text();
        try {
          startSpan({ name: 'charge' }, () => {
            throw new TypeError('declined');
          });
        } catch {}
        res.statusCode = 503;
        res.end(JSON.stringify(req.headers));
      },
    });
    apps.push(app, downstream);
    const res = await fetch(`${app.url}/users/7?x=1`, {
      headers: {
        'x-datadog-trace-id': LOW,
        'x-datadog-parent-id': '987654321',
        'x-datadog-sampling-priority': '2',
        'x-datadog-origin': 'synthetics',
        'x-datadog-tags': `_dd.p.tid=${TID},_dd.p.dm=-3`,
        'user-agent': 'ua/1',
      },
    });
    expect(res.status).toBe(503);
    expect(await client.flush(3000)).toBe(true);

    const reqs = agent.requests.filter((r) => r.path === '/v0.4/traces');
    expect(reqs.length).toBeGreaterThan(0);
    for (const r of reqs) {
      expect(r.method).toBe('PUT');
      expect(r.gzipped).toBe(false);
      expect(r.headers).toMatchObject({
        'content-type': 'application/json',
        'datadog-meta-lang': 'nodejs',
        'datadog-meta-lang-version': process.version,
        'datadog-meta-tracer-version': '0.1.0',
      });
      expect(Number(r.headers['x-datadog-trace-count'])).toBe(tracesOf(r).length);
    }
    const spans = spansOf(reqs).filter((s) => s.trace_id === BigInt(LOW));
    expect(spans).toHaveLength(4);
    const server = spans.find((s) => s.name === 'web.request' && s.resource === 'GET /users/:id') as AgentSpan;
    const charge = spans.find((s) => s.name === 'charge') as AgentSpan;
    const client2 = spans.find((s) => s.name === 'http.request') as AgentSpan;
    const downstreamServer = spans.find((s) => s.resource === 'GET /stock/:sku') as AgentSpan;
    expect(server && charge && client2 && downstreamServer).toBeTruthy();

    // uint64 exactness: the ids arrive as the exact integers, parent links by span_id.
    expect(server.trace_id).toBe(12345678901234567891n);
    expect(server.parent_id).toBe(987654321n);
    expect(charge.parent_id).toBe(server.span_id);
    expect(client2.parent_id).toBe(server.span_id);
    expect(downstreamServer.parent_id).toBe(client2.span_id);
    expect(server.span_id).toBeGreaterThan(0n);

    expect(server).toMatchObject({ service: 'checkout', type: 'web', error: 1 });
    expect(server.start).toBeGreaterThan(BigInt(Date.now() - 10_000) * 1_000_000n);
    expect(server.duration).toBeGreaterThan(0n);
    expect(charge.start).toBeGreaterThanOrEqual(server.start);
    expect(charge.start + charge.duration).toBeLessThanOrEqual(server.start + server.duration);
    expect(server.meta).toMatchObject({
      'http.method': 'GET',
      'http.route': '/users/:id',
      'http.status_code': '503',
      'http.url': `${app.url}/users/7`,
      'http.useragent': 'ua/1',
      'span.kind': 'server',
      env: 'staging',
      version: '3.1.0',
      language: 'javascript',
      '_dd.origin': 'synthetics',
    });
    expect(server.metrics).toMatchObject({ _sampling_priority_v1: 2, '_dd.top_level': 1, '_dd.measured': 1, process_id: process.pid });
    // Trace-level tags go on the first span of each chunk only.
    const withTid = spans.filter((s) => s.meta['_dd.p.tid'] !== undefined);
    expect(withTid.length).toBeGreaterThanOrEqual(1);
    for (const s of withTid) expect(s.meta).toMatchObject({ '_dd.p.tid': TID, '_dd.p.dm': '-3' });
    for (const r of reqs) for (const chunk of tracesOf(r)) expect(chunk.slice(1).every((s) => s.meta['_dd.p.tid'] === undefined)).toBe(true);

    expect(charge).toMatchObject({ type: 'custom', resource: 'charge', error: 1 });
    expect(charge.meta).toMatchObject({ 'error.type': 'TypeError', 'error.message': 'declined' });
    expect(charge.meta['error.stack']).toContain('TypeError: declined');
    expect(charge.metrics._sampling_priority_v1).toBe(2);
    expect(charge.metrics['_dd.top_level']).toBeUndefined();
    expect(downstreamServer.metrics['_dd.top_level']).toBe(1);

    expect(client2).toMatchObject({ type: 'http', resource: 'GET', error: 0 });
    expect(client2.meta).toMatchObject({ 'http.url': `${downstream.url}/stock/1`, 'http.status_code': '200', 'span.kind': 'client' });

    expect(stats(client).rateByService).toEqual({ 'service:checkout,env:staging': 0.25, 'service:,env:': 1 });
    // The exporter's own PUTs are not recorded as outbound spans.
    expect(spansOf(reqs).some((s) => String(s.meta['http.url'] ?? '').startsWith(agent.url))).toBe(false);
  });

  it('marks the span an error was captured in, and offers dd.* log fields', async () => {
    const client = init({ ...base, exporters: [datadogExporter({ url: agent.url, variables: { DD_SERVICE: 'dd-svc', DD_ENV: 'prod', DD_VERSION: '9' } })] });
    let ids = { traceId: '', spanId: '' };
    await startSpan({ name: 'job' }, async (span) => {
      ids = { traceId: span.traceId, spanId: span.spanId };
      captureException(new RangeError('no stock'));
      // The event is finished off the capture path (source lines are read first); errors are
      // matched to spans when a span batch is encoded, so let the event land while the span is open.
      await client.flush(2000);
    });
    expect(await client.flush(3000)).toBe(true);
    const [job] = spansOf(await agent.waitFor('/v0.4/traces', 1));
    expect(job).toMatchObject({ name: 'job', service: 'dd-svc', error: 1 });
    expect(job!.meta).toMatchObject({ 'error.type': 'RangeError', 'error.message': 'no stock', env: 'prod', version: '9' });
    expect(job!.meta['error.stack']).toMatch(/^RangeError: no stock\n {4}at /);
    expect(job!.trace_id).toBe(BigInt(`0x${ids.traceId.slice(16)}`));

    expect(getLogCorrelationFields(getCurrentClient(), ids.traceId, ids.spanId)).toEqual({
      'dd.trace_id': BigInt(`0x${ids.traceId.slice(16)}`).toString(),
      'dd.span_id': BigInt(`0x${ids.spanId}`).toString(),
      'dd.service': 'dd-svc',
      'dd.env': 'prod',
      'dd.version': '9',
    });
    expect(getLogCorrelationFields(getCurrentClient(), undefined, undefined)).toEqual({ 'dd.service': 'dd-svc', 'dd.env': 'prod', 'dd.version': '9' });
    init({ ...base, exporters: [datadogExporter({ url: agent.url, variables: {}, logInjection: false })] });
    expect(getLogCorrelationFields(getCurrentClient(), ids.traceId, ids.spanId)).toBeUndefined();
  });

  it('finds the agent from DD_TRACE_AGENT_URL, or DD_AGENT_HOST and DD_TRACE_AGENT_PORT, and validates options', async () => {
    const port = new URL(agent.url).port;
    for (const variables of [{ DD_TRACE_AGENT_URL: `${agent.url}/` }, { DD_AGENT_HOST: '127.0.0.1', DD_TRACE_AGENT_PORT: port }]) {
      const client = init({ ...base, exporters: [datadogExporter({ variables })] });
      startSpan('op', () => undefined);
      expect(await client.flush(3000)).toBe(true);
    }
    const saved = process.env.DD_TRACE_AGENT_URL;
    process.env.DD_TRACE_AGENT_URL = agent.url;
    try {
      const client = init({ ...base, exporters: [datadogExporter()] });
      startSpan('op', () => undefined);
      expect(await client.flush(3000)).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.DD_TRACE_AGENT_URL;
      else process.env.DD_TRACE_AGENT_URL = saved;
    }
    expect((await agent.waitFor('/v0.4/traces', 3)).length).toBe(3);
    expect(() => datadogExporter({ url: 'unix:///var/run/datadog/apm.socket' })).toThrow(/unix sockets/);
    expect(() => datadogExporter({ kinds: ['log' as never] })).toThrow(TypeError);
    expect(() => datadogExporter({ service: '' })).toThrow(/service/);
  });
});

describe('fault rules (shared transport)', () => {
  const tuning = { retryBaseMs: 20, maxRetries: 3 };

  it('retries 5xx, holds on 429 Retry-After, drops other 4xx, bounds the queue', async () => {
    agent.queue({ status: 500 }, { status: 429, headers: { 'retry-after': '0.3' } });
    const client = init({ ...base, exporters: [datadogExporter({ url: agent.url, variables: {}, transport: tuning })] });
    const t0 = Date.now();
    startSpan('one', () => undefined);
    expect(await client.flush(3000)).toBe(true);
    const [r] = await agent.waitFor('/v0.4/traces', 1);
    expect(r!.at - t0).toBeGreaterThanOrEqual(300);
    expect(spansOf([r!]).map((s) => s.name)).toEqual(['one']);
    expect(stats(client).categories.traces).toMatchObject({ delivered: 1, retries: 1, dropped: 0 });

    agent.queue({ status: 413 });
    startSpan('too-big', () => undefined);
    expect(await client.flush(3000)).toBe(true);
    expect(stats(client).categories.traces).toMatchObject({ droppedPermanent: 1 });

    agent.queue(...Array.from({ length: 20 }, () => ({ status: 503 })));
    const bounded = init({
      ...base,
      exporters: [datadogExporter({ url: agent.url, variables: {}, transport: { ...tuning, queueSize: 4, maxBatchSize: 2, maxRetries: 1 } })],
    });
    for (let i = 0; i < 30; i++) startSpan(`s${i}`, () => undefined);
    expect(stats(bounded).categories.traces).toMatchObject({ enqueued: 4, droppedQueueFull: 26 });
    expect(await bounded.flush(3000)).toBe(true);
    expect(stats(bounded).categories.traces).toMatchObject({ droppedRetriesExhausted: 4, queued: 0, inFlight: 0 });
  });
});

describe('several exporters at once', () => {
  it('AllStak gets errors and spans, the Datadog agent the same spans', async () => {
    const ingest = await startIngestServer({ apiKey: TEST_API_KEY });
    try {
      const client = init({ ...base, apiKey: TEST_API_KEY, host: ingest.url, exporters: [datadogExporter({ url: agent.url, variables: {}, kinds: ['span'] })] });
      let spanId = '';
      startSpan('checkout', (span) => {
        spanId = span.spanId;
        captureException(new Error('payment failed'));
      });
      expect(await client.flush(3000)).toBe(true);
      const [allstakSpan] = await ingest.waitFor('spans', 1);
      const [allstakError] = await ingest.waitFor('errors', 1);
      const [dd] = spansOf(await agent.waitFor('/v0.4/traces', 1));
      expect(allstakSpan.spanId).toBe(spanId);
      expect(allstakError.spanId).toBe(spanId);
      expect(dd!.span_id).toBe(BigInt(`0x${spanId}`));
      // Errors were not routed to Datadog (kinds: ['span']): the span is not marked.
      expect(dd!.error).toBe(0);
      expect(ingest.invalid).toEqual([]);
    } finally {
      await close(500);
      await ingest.stop();
    }
  });
});
