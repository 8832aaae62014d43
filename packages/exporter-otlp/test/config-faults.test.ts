import { type Client, captureException, close, init, logger, startSpan } from '@sightline/core';
import { type Receiver, TEST_API_KEY, startIngestServer, startReceiver } from '@sightline/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { otlpExporter } from '../src/index.js';
import { attrs, decodeTraces, logsOf, spansOf } from './helpers/otlp-decode.js';

let receiver: Receiver;

beforeEach(async () => {
  receiver = await startReceiver();
});

afterEach(async () => {
  await close(500);
  await receiver.stop();
});

const base = { flushInterval: 20, defaultIntegrations: false, release: '2.0.0' } as const;

function stats(client: Client, category: string) {
  return (client.getStats().exporters.otlp as any).categories[category];
}

describe('configuration from OTEL_* variables', () => {
  it('honours OTEL_EXPORTER_OTLP_ENDPOINT, _HEADERS, OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES from process.env', async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      OTEL_EXPORTER_OTLP_ENDPOINT: `${receiver.url}/otlp/`,
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s%20ecret,x-team=core',
      OTEL_SERVICE_NAME: 'from-env',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=ignored,service.namespace=shop,team=a%2Cb',
    });
    let client: Client;
    try {
      client = init({ ...base, exporters: [otlpExporter()] });
    } finally {
      for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
      Object.assign(process.env, saved);
    }
    startSpan('op', () => logger.info('hi'));
    expect(await client.flush(3000)).toBe(true);
    const [traces] = await receiver.waitFor('/otlp/v1/traces', 1);
    const [logs] = await receiver.waitFor('/otlp/v1/logs', 1);
    for (const r of [traces!, logs!]) {
      expect(r.headers['x-api-key']).toBe('s ecret');
      expect(r.headers['x-team']).toBe('core');
    }
    const [span] = spansOf([traces!]);
    // OTEL_SERVICE_NAME wins over service.name in OTEL_RESOURCE_ATTRIBUTES (OTel spec).
    expect(span.resource).toMatchObject({ 'service.name': 'from-env', 'service.namespace': 'shop', team: 'a,b', 'service.version': '2.0.0' });
    expect(logsOf([logs!])[0].resource['service.name']).toBe('from-env');
  });

  it('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is used as is; explicit options win over variables', async () => {
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:1',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${receiver.url}/custom/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_RESOURCE_ATTRIBUTES: 'service.name=res-name,deployment.environment.name=qa',
      OTEL_EXPORTER_OTLP_HEADERS: 'authorization=Bearer%20env',
    };
    const client = init({
      ...base,
      service: 'init-service',
      exporters: [otlpExporter({ env, kinds: ['span'], headers: { authorization: 'Bearer explicit' } })],
    });
    startSpan('op', () => undefined);
    expect(await client.flush(3000)).toBe(true);
    const [r] = await receiver.waitFor('/custom/traces', 1);
    expect(r!.headers['content-type']).toBe('application/x-protobuf');
    expect(r!.headers.authorization).toBe('Bearer explicit');
    const [span] = spansOf([r!]);
    expect(span.resource).toMatchObject({ 'service.name': 'res-name', 'deployment.environment.name': 'qa' });
  });

  it('validates options at the factory', () => {
    expect(() => otlpExporter({ endpoint: 'ftp://x' })).toThrow(TypeError);
    expect(() => otlpExporter({ protocol: 'grpc' as never })).toThrow(/protocol/);
    expect(() => otlpExporter({ kinds: ['db' as never] })).toThrow(/kinds/);
    expect(() => otlpExporter({ env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } })).toThrow(/protocol/);
    expect(() => otlpExporter({ headers: { a: 1 as never } })).toThrow(/headers/);
  });

  it('the test decoder is strict: a field the official schema does not know fails decoding', () => {
    const body = Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x', kindd: 2 }] }] }] }));
    expect(() => decodeTraces({ method: 'POST', path: '/v1/traces', headers: { 'content-type': 'application/json' }, body, gzipped: false, at: 0 })).toThrow(
      /changed through the official schema/,
    );
  });
});

describe('fault rules (shared transport)', () => {
  const tuning = { retryBaseMs: 20, maxRetries: 3, defaultRetryAfterMs: 50 };

  it('retries 5xx with backoff and delivers once', async () => {
    receiver.queue({ status: 500 }, { status: 503 });
    const client = init({ ...base, exporters: [otlpExporter({ endpoint: receiver.url, env: {}, transport: tuning })] });
    startSpan('retried', () => undefined);
    expect(await client.flush(3000)).toBe(true);
    const reqs = await receiver.waitFor('/v1/traces', 1);
    expect(spansOf(reqs).map((s) => s.name)).toEqual(['retried']);
    expect(stats(client, 'traces')).toMatchObject({ delivered: 1, retries: 2, dropped: 0 });
  });

  it('holds a category for Retry-After on 429, then sends it; other categories keep flowing', async () => {
    receiver.queue({ status: 429, headers: { 'retry-after': '0.3' } });
    const client = init({ ...base, exporters: [otlpExporter({ endpoint: receiver.url, env: {}, kinds: ['span', 'log'], transport: tuning })] });
    const t0 = Date.now();
    startSpan('held', () => undefined);
    await new Promise((r) => setTimeout(r, 60));
    logger.info('not held');
    const [log] = await receiver.waitFor('/v1/logs', 1);
    expect(log!.at - t0).toBeLessThan(300);
    expect(await client.flush(3000)).toBe(true);
    const [traces] = await receiver.waitFor('/v1/traces', 1);
    expect(traces!.at - t0).toBeGreaterThanOrEqual(300);
    expect(spansOf([traces!]).map((s) => s.name)).toEqual(['held']);
    expect(stats(client, 'traces')).toMatchObject({ delivered: 1, dropped: 0 });
  });

  it('drops on other 4xx without retrying, and bounds the queue under a dead backend', async () => {
    receiver.queue({ status: 400 });
    const client = init({ ...base, exporters: [otlpExporter({ endpoint: receiver.url, env: {}, kinds: ['span'], transport: tuning })] });
    startSpan('rejected', () => undefined);
    expect(await client.flush(3000)).toBe(true);
    expect(stats(client, 'traces')).toMatchObject({ droppedPermanent: 1, retries: 0 });
    expect(receiver.requests).toHaveLength(0);

    // A backend answering 503 forever: the queue stays bounded and retries give up.
    const failing = await startReceiver();
    failing.queue(...Array.from({ length: 50 }, () => ({ status: 503 })));
    try {
      const bounded = init({
        ...base,
        exporters: [
          otlpExporter({ endpoint: failing.url, env: {}, kinds: ['span'], transport: { ...tuning, queueSize: 5, maxBatchSize: 2, maxRetries: 1 } }),
        ],
      });
      for (let i = 0; i < 50; i++) startSpan(`s${i}`, () => undefined);
      const s = stats(bounded, 'traces');
      expect(s.enqueued).toBe(5);
      expect(s.droppedQueueFull).toBe(45);
      expect(await bounded.flush(3000)).toBe(true);
      expect(stats(bounded, 'traces')).toMatchObject({ droppedRetriesExhausted: 5, delivered: 0, queued: 0, inFlight: 0 });
    } finally {
      await failing.stop();
    }

    // A refused connection: items stay queued within the bound until the backend is back.
    const dead = await startReceiver();
    const deadUrl = dead.url;
    await dead.stop();
    const down = init({ ...base, exporters: [otlpExporter({ endpoint: deadUrl, env: {}, kinds: ['span'], transport: { ...tuning, queueSize: 5 } })] });
    for (let i = 0; i < 20; i++) startSpan(`d${i}`, () => undefined);
    expect(await down.flush(150)).toBe(false);
    const d = stats(down, 'traces');
    expect(d.queued + d.inFlight).toBeLessThanOrEqual(5);
    expect(d.droppedQueueFull).toBe(15);
  });
});

describe('several exporters at once', () => {
  it('errors and spans go to AllStak while only spans go to the OTLP receiver, from one capture', async () => {
    const ingest = await startIngestServer({ apiKey: TEST_API_KEY });
    try {
      const client = init({
        ...base,
        apiKey: TEST_API_KEY,
        host: ingest.url,
        exporters: [otlpExporter({ endpoint: receiver.url, env: {}, kinds: ['span'] })],
      });
      let traceId = '';
      startSpan('checkout', (span) => {
        traceId = span.traceId;
        captureException(new Error('payment failed'));
      });
      expect(await client.flush(3000)).toBe(true);
      const [allstakSpan] = await ingest.waitFor('spans', 1);
      const [allstakError] = await ingest.waitFor('errors', 1);
      const otlp = spansOf(await receiver.waitFor('/v1/traces', 1));
      expect(allstakSpan).toMatchObject({ traceId, operation: 'checkout' });
      expect(allstakError).toMatchObject({ traceId, message: 'payment failed' });
      expect(otlp).toHaveLength(1);
      expect(otlp[0]).toMatchObject({ traceId, spanId: allstakSpan.spanId, name: 'checkout' });
      expect(attrs(otlp[0].attributes)).toEqual({});
      expect(receiver.requests.filter((r) => r.path === '/v1/logs')).toHaveLength(0);
      expect(ingest.invalid).toEqual([]);
      expect(Object.keys(client.getStats().exporters)).toEqual(['allstak', 'otlp']);
    } finally {
      await close(500);
      await ingest.stop();
    }
  });
});
