import { fileURLToPath } from 'node:url';
import { close, init, startSpan } from '@sightline/core';
import {
  type ChildService,
  type Listening,
  type Receiver,
  spawnService,
  startInstrumentedApp,
  startReceiver,
} from '@sightline/testkit';
import { type OutboundHttpHandle, instrumentOutboundHttp } from '@sightline/undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { otlpExporter } from '../src/index.js';
import { type Decoded, spansOf } from './helpers/otlp-decode.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/otel-service.cjs', import.meta.url));
const T = '0af7651916cd43dd8448eb211c80319c';
const P = 'b7ad6b7169203331';

let receiver: Receiver;
let otel: ChildService;
let app: Listening;
let outbound: OutboundHttpHandle;

beforeAll(async () => {
  receiver = await startReceiver();
  otel = await spawnService(FIXTURE, { RECEIVER_URL: receiver.url });
  init({
    exporters: [otlpExporter({ endpoint: receiver.url, env: {}, kinds: ['span'] })],
    service: 'sightline-svc',
    flushInterval: 20,
    defaultIntegrations: false,
  });
  // The test's own request into the OTel service is not part of the trace under test.
  outbound = instrumentOutboundHttp({ breadcrumbs: false, ignoreOutgoingRequests: (url) => url.endsWith('/call') });
  app = await startInstrumentedApp({
    '/sl/proxy': async (req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '';
      const r = await fetch(target);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ received: { traceparent: req.headers.traceparent, tracestate: req.headers.tracestate, baggage: req.headers.baggage }, downstream: await r.json() }));
    },
  });
});

afterAll(async () => {
  outbound?.disable();
  await close(1000);
  await app?.close();
  await otel?.stop();
  await receiver?.stop();
});

describe('interop with the OpenTelemetry JS SDK (W3C traceparent, tracestate, baggage)', () => {
  it('OTel → Sightline → OTel is one trace, with tracestate and baggage carried both ways', async () => {
    const leaf = `${otel.url}/leaf`;
    const target = `${app.url}/sl/proxy?target=${encodeURIComponent(leaf)}`;
    const res = await fetch(`${otel.url}/call?target=${encodeURIComponent(target)}`, {
      headers: { traceparent: `00-${T}-${P}-01`, tracestate: 'vendor=abc', baggage: 'tenant=acme' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Decoded;
    const sightlineSaw = body.downstream.received;
    const leafSaw = body.downstream.downstream.self;

    // OTel → Sightline: the W3C headers OTel wrote, including its own baggage member.
    expect(body.self.traceId).toBe(T);
    expect(sightlineSaw.traceparent).toMatch(new RegExp(`^00-${T}-[0-9a-f]{16}-01$`));
    expect(sightlineSaw.tracestate).toBe('vendor=abc');
    expect(sightlineSaw.baggage).toContain('user.tier=gold');
    expect(sightlineSaw.baggage).toContain('tenant=acme');

    // Sightline → OTel: the leaf continues the same trace and sees tracestate and every foreign
    // baggage member (plus Sightline's own allstak-* members).
    expect(leafSaw.traceId).toBe(T);
    expect(leafSaw.traceFlags & 1).toBe(1);
    expect(leafSaw.traceState).toBe('vendor=abc');
    expect(leafSaw.baggage).toMatchObject({ tenant: 'acme', 'user.tier': 'gold', 'allstak-trace_id': T });

    // The spans both SDKs exported to the same OTLP receiver form one linked trace.
    await receiver.waitFor('/peer/v1/traces', 3);
    await receiver.waitFor('/v1/traces', 1);
    const peer = spansOf(receiver.requests.filter((r) => r.path === '/peer/v1/traces'), false);
    const ours = spansOf(receiver.requests.filter((r) => r.path === '/v1/traces'));
    const all = [...peer, ...ours];
    expect(new Set(all.map((s: Decoded) => s.traceId))).toEqual(new Set([T]));
    const otelEntry = peer.find((s: Decoded) => s.kind === 2 && s.parentSpanId === P);
    const otelClient = peer.find((s: Decoded) => s.kind === 3 && s.parentSpanId === otelEntry?.spanId);
    const slServer = ours.find((s: Decoded) => s.kind === 2);
    const slClient = ours.find((s: Decoded) => s.kind === 3);
    const otelLeaf = peer.find((s: Decoded) => s.kind === 2 && s.spanId === leafSaw.spanId);
    expect(otelEntry && otelClient && slServer && slClient && otelLeaf).toBeTruthy();
    expect(slServer.parentSpanId).toBe(otelClient.spanId);
    expect(slServer.name).toBe('GET /sl/proxy');
    expect(slServer.traceState).toBe('vendor=abc');
    expect(slServer.resource['service.name']).toBe('sightline-svc');
    expect(slClient.parentSpanId).toBe(slServer.spanId);
    expect(otelLeaf.parentSpanId).toBe(slClient.spanId);
  });

  it('a trace Sightline starts is continued by the OTel service, baggage included', async () => {
    let ours = { traceId: '', spanId: '' };
    const leaf = await startSpan({ name: 'nightly-sync' }, async (span) => {
      ours = { traceId: span.traceId, spanId: span.spanId };
      const r = await fetch(`${otel.url}/leaf`);
      return ((await r.json()) as Decoded).self;
    });
    expect(leaf.traceId).toBe(ours.traceId);
    expect(leaf.traceFlags & 1).toBe(1);
    expect(leaf.baggage).toMatchObject({ 'allstak-trace_id': ours.traceId });
    await receiver.waitFor('/peer/v1/traces', 4);
    const otelLeaf = spansOf(receiver.requests.filter((r) => r.path === '/peer/v1/traces'), false).find((s: Decoded) => s.spanId === leaf.spanId);
    const ourClient = await (async () => {
      for (let i = 0; i < 200; i++) {
        const found = spansOf(receiver.requests.filter((r) => r.path === '/v1/traces')).find((s: Decoded) => s.kind === 3 && s.parentSpanId === ours.spanId);
        if (found) return found;
        await new Promise((r) => setTimeout(r, 20));
      }
      return undefined;
    })();
    expect(ourClient).toBeTruthy();
    expect(otelLeaf.traceId).toBe(ours.traceId);
    expect(otelLeaf.parentSpanId).toBe(ourClient.spanId);
  });
});
