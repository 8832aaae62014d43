import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { captureException, close, init } from '../src/api.js';
import type { Client } from '../src/client.js';
import type { Exporter, ExporterSetup } from '../src/exporter.js';
import { runServerRequest } from '../src/http-server.js';
import { getLogCorrelationFields } from '../src/log-correlation.js';
import { isSdkUrl, registerSdkOrigin } from '../src/outbound.js';
import { registerPropagator } from '../src/propagation/composite.js';
import type { Propagator } from '../src/propagation/types.js';
import { continueTrace, getTraceHeaders, startSpan } from '../src/tracing/api.js';
import { createHttpExecutor } from '../src/transport/http-executor.js';
import type { ItemKind, ItemKinds, SpanRecord } from '../src/types.js';

/** An in-memory exporter that records what the client routes to it. */
function recorder(name: string, kinds: ItemKind[], extra: Partial<Exporter> = {}) {
  const items: { kind: ItemKind; item: unknown }[] = [];
  let setup: ExporterSetup | undefined;
  const exporter: Exporter = {
    name,
    accepts: (k) => kinds.includes(k),
    setup(ctx) {
      setup = ctx;
    },
    export<K extends ItemKind>(kind: K, item: ItemKinds[K]) {
      items.push({ kind, item });
      return true;
    },
    flush: async () => true,
    close: async () => true,
    getStats: () => ({ items: items.length }),
    ...extra,
  };
  return { exporter, items, setupCtx: () => setup };
}

// A header format with vendor data: `x-vendor: <trace>-<span>-<priority>`.
const vendor: Propagator = {
  name: 'vendor-test',
  fields: ['x-vendor'],
  extract(carrier, get) {
    const v = get(carrier, 'x-vendor');
    if (typeof v !== 'string') return undefined;
    const m = /^([0-9a-f]{32})-([0-9a-f]{16})-(-?\d)$/.exec(v);
    if (!m) return undefined;
    const sampled = Number(m[3]) > 0;
    return { traceId: m[1]!, parentSpanId: m[2]!, sampled, traceFlags: sampled ? 1 : 0, source: 'vendor-test', propagationData: { 'vendor.priority': m[3]! } };
  },
  inject(ctx, carrier, set) {
    set(carrier, 'x-vendor', `${ctx.traceId}-${ctx.spanId}-${ctx.propagationData?.['vendor.priority'] ?? (ctx.sampled ? '1' : '0')}`);
  },
};
registerPropagator('vendor-test', vendor);

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const P = '00f067aa0ba902b7';

afterEach(async () => {
  await close(100);
});

describe('exporter model', () => {
  it('routes each kind only to the exporters that take it, and gives setup the client', async () => {
    const errors = recorder('errors-only', ['error']);
    const traces = recorder('traces-only', ['span']);
    const client = init({ exporters: [errors.exporter, traces.exporter], defaultIntegrations: false });
    expect(client.enabled).toBe(true);
    expect(errors.setupCtx()?.client).toBe(client);
    expect(traces.setupCtx()?.client).toBe(client);
    startSpan('op', () => captureException(new Error('boom')));
    await client.flush(1000);
    expect(traces.items.map((i) => i.kind)).toEqual(['span']);
    expect(errors.items.map((i) => i.kind)).toEqual(['error']);
    const span = traces.items[0]!.item as SpanRecord;
    expect((errors.items[0]!.item as ItemKinds['error']).spanId).toBe(span.spanId);
  });

  it('carries propagation data from extract to spans and back to inject', () => {
    const traces = recorder('traces', ['span']);
    init({ exporters: [traces.exporter], propagators: ['vendor-test', 'w3c'], defaultIntegrations: false });
    let outbound: Record<string, string> = {};
    continueTrace({ 'x-vendor': `${T}-${P}-2` }, () => {
      startSpan('outer', () => {
        startSpan('inner', () => {
          outbound = getTraceHeaders();
        });
      });
    });
    const spans = traces.items.map((i) => i.item as SpanRecord);
    expect(spans.map((s) => s.name)).toEqual(['inner', 'outer']);
    for (const s of spans) {
      expect(s.traceId).toBe(T);
      expect(s.propagationData).toEqual({ 'vendor.priority': '2' });
    }
    expect(spans[1]!.parentSpanId).toBe(P);
    expect(outbound['x-vendor']).toBe(`${T}-${spans[0]!.spanId}-2`);
    expect(outbound.traceparent).toBe(`00-${T}-${spans[0]!.spanId}-01`);
  });

  it('puts the inbound request (path scrubbed, no query) on server span records', async () => {
    const traces = recorder('traces', ['span']);
    init({ exporters: [traces.exporter], propagators: ['vendor-test'], defaultIntegrations: false });
    const server = http.createServer((req, res) => runServerRequest(req, res, () => res.end('ok')));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/users/jane@example.com?token=x`, {
        headers: { 'x-vendor': `${T}-${P}-1`, 'user-agent': 'ua-test' },
      });
      await res.text();
      for (let i = 0; i < 50 && traces.items.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
      const span = traces.items[0]!.item as SpanRecord;
      expect(span.kind).toBe('server');
      expect(span.propagationData).toEqual({ 'vendor.priority': '1' });
      expect(span.request).toMatchObject({ method: 'GET', host: `127.0.0.1:${port}`, statusCode: 200, userAgent: 'ua-test' });
      expect(span.request?.path).not.toContain('jane@example.com');
      expect(span.request?.path).not.toContain('token');
      expect(span.request?.path?.startsWith('/users/')).toBe(true);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  it('collects log correlation fields from active exporters only', async () => {
    const plain = recorder('plain', ['span']);
    const dd = recorder('fields', ['span'], {
      logFields: ({ traceId, spanId }) => ({ 'x.trace': traceId ?? '-', 'x.span': spanId ?? '-' }),
    });
    const broken = recorder('broken', ['span'], {
      logFields: () => {
        throw new Error('nope');
      },
    });
    expect(getLogCorrelationFields(undefined, T, P)).toBeUndefined();
    let client: Client = init({ exporters: [plain.exporter], defaultIntegrations: false });
    expect(getLogCorrelationFields(client, T, P)).toBeUndefined();
    client = init({ exporters: [plain.exporter, broken.exporter, dd.exporter], defaultIntegrations: false });
    expect(getLogCorrelationFields(client, T, P)).toEqual({ 'x.trace': T, 'x.span': P });
    await client.close(100);
    expect(getLogCorrelationFields(client, T, P)).toBeUndefined();
  });

  it('registerSdkOrigin marks an exporter endpoint as the SDK own traffic', () => {
    const client = init({ exporters: [recorder('x', ['span']).exporter], defaultIntegrations: false });
    expect(isSdkUrl(client, 'http://127.0.0.1:4318')).toBe(false);
    registerSdkOrigin(client, 'http://127.0.0.1:4318/v1/traces');
    expect(isSdkUrl(client, 'http://127.0.0.1:4318')).toBe(true);
  });
});

describe('http executor maxResponseBytes', () => {
  it('keeps short bodies only when asked, and drops bodies over the limit', async () => {
    let reply = '{"rate_by_service":{"service:,env:":1}}';
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end(reply));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
      const req = { url, method: 'PUT' as const, headers: {}, body: '[]' };
      expect((await createHttpExecutor()(req)).body).toBeUndefined();
      const keeping = createHttpExecutor({ maxResponseBytes: 64 });
      expect((await keeping(req)).body).toBe(reply);
      reply = 'x'.repeat(65);
      const res = await keeping(req);
      expect(res.status).toBe(200);
      expect(res.body).toBeUndefined();
      expect(() => createHttpExecutor({ maxResponseBytes: -1 })).toThrow(TypeError);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
