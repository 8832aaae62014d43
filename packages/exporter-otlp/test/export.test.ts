import { captureException, close, init, logger, startSpan } from '@sightline/core';
import { type Listening, type Receiver, startInstrumentedApp, startReceiver } from '@sightline/testkit';
import { type OutboundHttpHandle, instrumentOutboundHttp } from '@sightline/undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { otlpExporter } from '../src/index.js';
import { type Decoded, attrs, logsOf, spansOf } from './helpers/otlp-decode.js';

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const P = '00f067aa0ba902b7';

let receiver: Receiver;
let apps: Listening[] = [];
let outbound: OutboundHttpHandle | undefined;

beforeEach(async () => {
  receiver = await startReceiver();
});

afterEach(async () => {
  outbound?.disable();
  outbound = undefined;
  await close(500);
  await Promise.all(apps.map((a) => a.close()));
  apps = [];
  await receiver.stop();
});

function start(protocol: 'http/json' | 'http/protobuf', extra: Parameters<typeof otlpExporter>[0] = {}) {
  return init({
    exporters: [otlpExporter({ endpoint: receiver.url, protocol, env: {}, ...extra })],
    service: 'checkout',
    release: '1.4.2',
    environment: 'staging',
    serverName: 'web-1',
    flushInterval: 20,
    defaultIntegrations: false,
  });
}

describe.each(['http/json', 'http/protobuf'] as const)('OTLP/HTTP %s', (protocol) => {
  const contentType = protocol === 'http/json' ? 'application/json' : 'application/x-protobuf';

  it('sends server, internal and client spans with resource, kinds, status, events and HTTP semantic conventions', async () => {
    const client = start(protocol);
    outbound = instrumentOutboundHttp({ breadcrumbs: false });
    const downstream = await startInstrumentedApp({ '/stock/:sku': (_req, res) => res.end('{"n":3}') });
    const app = await startInstrumentedApp({
      '/users/:id': async (_req, res) => {
        const r = await fetch(`${downstream.url}/stock/abc?secret=1`);
        await r.text();
        try {
          startSpan({ name: 'charge-card' }, () => {
            throw new TypeError('card declined');
          });
        } catch {}
        res.statusCode = 502;
        res.end('bad gateway');
      },
    });
    apps.push(app, downstream);
    const res = await fetch(`${app.url}/users/42?token=abc`, {
      headers: { traceparent: `00-${T}-${P}-01`, tracestate: 'vendor=x', 'user-agent': 'test-agent/1' },
    });
    expect(res.status).toBe(502);
    expect(await client.flush(3000)).toBe(true);

    const reqs = receiver.requests.filter((r) => r.path === '/v1/traces');
    expect(reqs.length).toBeGreaterThan(0);
    for (const r of reqs) {
      expect(r.method).toBe('POST');
      expect(r.headers['content-type']).toBe(contentType);
    }
    const spans = spansOf(reqs).filter((s: Decoded) => s.traceId === T);
    const byKindName = (kind: number, name: string) => spans.find((s: Decoded) => s.kind === kind && s.name === name);
    const server = byKindName(2, 'GET /users/:id');
    const internal = byKindName(1, 'charge-card');
    const clientSpan = byKindName(3, 'GET');
    const downstreamServer = byKindName(2, 'GET /stock/:sku');
    expect(server && internal && clientSpan && downstreamServer).toBeTruthy();

    // One trace, continued from the inbound traceparent, parents linked across both services.
    expect(server.parentSpanId).toBe(P);
    expect(server.traceState).toBe('vendor=x');
    expect(server.flags & 0xff).toBe(1);
    expect(internal.parentSpanId).toBe(server.spanId);
    expect(clientSpan.parentSpanId).toBe(server.spanId);
    expect(downstreamServer.parentSpanId).toBe(clientSpan.spanId);

    expect(server.resource).toMatchObject({
      'service.name': 'checkout',
      'service.version': '1.4.2',
      'deployment.environment.name': 'staging',
      'host.name': 'web-1',
      'process.pid': process.pid,
      'process.runtime.name': 'nodejs',
      'telemetry.sdk.name': 'sightline',
      'telemetry.sdk.language': 'nodejs',
      'telemetry.sdk.version': '0.1.0',
    });
    expect(server.scope).toMatchObject({ name: 'sightline', version: '0.1.0' });

    const sa = attrs(server.attributes);
    expect(sa).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/users/:id',
      'url.path': '/users/42',
      'http.response.status_code': 502,
      'server.address': '127.0.0.1',
      'user_agent.original': 'test-agent/1',
    });
    expect(sa['server.port']).toBe(Number(new URL(app.url).port));
    expect(sa['http.method']).toBeUndefined();
    expect(server.status).toEqual({ code: 2 });
    expect(BigInt(server.endTimeUnixNano)).toBeGreaterThan(BigInt(server.startTimeUnixNano));
    expect(BigInt(server.startTimeUnixNano) / 1_000_000n).toBeGreaterThan(BigInt(Date.now() - 10_000));

    expect(internal.status).toEqual({ code: 2, message: 'card declined' });
    expect(internal.events).toHaveLength(1);
    expect(internal.events[0].name).toBe('exception');
    const ev = attrs(internal.events[0].attributes);
    expect(ev['exception.type']).toBe('TypeError');
    expect(ev['exception.message']).toBe('card declined');
    expect(String(ev['exception.stacktrace'])).toContain('TypeError: card declined');
    expect(BigInt(internal.events[0].timeUnixNano)).toBeGreaterThanOrEqual(BigInt(internal.startTimeUnixNano));

    const ca = attrs(clientSpan.attributes);
    expect(ca).toMatchObject({
      'http.request.method': 'GET',
      'url.full': `${downstream.url}/stock/abc`,
      'url.path': '/stock/abc',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(downstream.url).port),
      'http.response.status_code': 200,
    });
    expect(clientSpan.status ?? {}).toEqual({});
    // The exporter's own requests are never recorded as client spans.
    expect(spansOf(reqs).filter((s: Decoded) => String(attrs(s.attributes)['url.full'] ?? '').startsWith(receiver.url))).toEqual([]);
  });

  it('sends logs with severity number and text, body, attributes and trace/span ids, and errors with exception attributes', async () => {
    const client = start(protocol);
    let ids: { traceId: string; spanId: string } | undefined;
    startSpan({ name: 'job' }, (span) => {
      ids = { traceId: span.traceId, spanId: span.spanId };
      logger.info('order placed', { orderId: 7, total: 12.5, paid: true, items: ['a', 'b'], meta: { region: 'eu' } });
      logger.warn('slow');
      captureException(new RangeError('out of stock'), { tags: { area: 'inventory' } });
    });
    logger.error('outside');
    logger.debug('dbg');
    logger.fatal('dead');
    expect(await client.flush(3000)).toBe(true);
    const reqs = await receiver.waitFor('/v1/logs', 2);
    for (const r of reqs) expect(r.headers['content-type']).toBe(contentType);
    const logs = logsOf(reqs);
    const by = (body: string) => logs.find((l: Decoded) => l.body.stringValue === body);

    const placed = by('order placed');
    expect(placed).toMatchObject({ severityNumber: 9, severityText: 'INFO', traceId: ids!.traceId, spanId: ids!.spanId });
    expect(attrs(placed.attributes)).toEqual({ orderId: 7, total: 12.5, paid: true, items: ['a', 'b'], meta: { region: 'eu' } });
    expect(placed.resource['service.name']).toBe('checkout');
    expect(BigInt(placed.timeUnixNano) / 1_000_000n).toBeGreaterThan(BigInt(Date.now() - 10_000));
    expect(placed.observedTimeUnixNano).toBe(placed.timeUnixNano);
    expect(by('slow')).toMatchObject({ severityNumber: 13, severityText: 'WARN' });
    expect(by('outside')).toMatchObject({ severityNumber: 17, severityText: 'ERROR' });
    expect(by('outside').traceId).toBeUndefined();
    expect(by('dbg')).toMatchObject({ severityNumber: 5, severityText: 'DEBUG' });
    expect(by('dead')).toMatchObject({ severityNumber: 21, severityText: 'FATAL' });

    const err = by('RangeError: out of stock');
    expect(err).toMatchObject({ severityNumber: 17, severityText: 'ERROR', traceId: ids!.traceId, spanId: ids!.spanId });
    const ea = attrs(err.attributes);
    expect(ea).toMatchObject({ 'exception.type': 'RangeError', 'exception.message': 'out of stock', area: 'inventory', 'sightline.handled': true });
    expect(String(ea['exception.stacktrace'])).toMatch(/^RangeError: out of stock\n {4}at /);
    expect(String(ea['exception.stacktrace'])).toContain('export.test.ts');
  });
});
