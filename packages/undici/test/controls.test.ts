import dc from 'node:diagnostics_channel';
import {
  type Client,
  captureException,
  getCurrentHub,
  type Propagator,
  runSuppressed,
  withScope,
} from '@sightline/core';
import * as undici7 from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { instrumentOutboundHttp, outboundHttpIntegration } from '../src/index.js';
import { httpGet } from './helpers/callers.js';
import { type Sdk, type Service, TRACEPARENT, startSdk, startServiceB } from './helpers/services.js';

/** Enabling, disabling, propagation targets, caller-set headers and the SDK's own traffic. */

let sdk: Sdk;
let client: Client;
let b: Service;

const CHANNELS = [
  'undici:request:create',
  'undici:request:headers',
  'undici:request:trailers',
  'undici:request:error',
  'http.client.request.start',
  'http.client.response.finish',
];
const subscribed = () => CHANNELS.filter((c) => dc.channel(c).hasSubscribers);

beforeAll(async () => {
  sdk = await startSdk();
  client = sdk.init();
  b = await startServiceB();
});

afterAll(async () => {
  await b.close();
  await client.close(2000);
  await sdk.ingest.stop();
});

beforeEach(() => {
  sdk.ingest.clear();
  b.received.length = 0;
});

afterEach(async () => {
  await client.flush(2000);
  expect(subscribed()).toEqual([]);
});

const outboundTo = (path: string) => (items: any[]) =>
  items.filter((r) => r.direction === 'outbound' && r.path === path);

async function callB(path = '/ok', init?: RequestInit): Promise<void> {
  const r = await fetch(`${b.url}${path}`, init);
  await r.text();
}

describe('enable / disable', () => {
  it('instrumentOutboundHttp() subscribes; disable() unsubscribes and stops spans, records and headers', async () => {
    expect(subscribed()).toEqual([]);
    const handle = instrumentOutboundHttp();
    expect(subscribed()).toEqual(CHANNELS);
    await callB();
    await sdk.ingest.waitFor('http-requests', (r) => outboundTo('/ok')(r).length === 1);
    expect(b.received[0]!.headers.traceparent).toMatch(TRACEPARENT);

    handle.disable();
    handle.disable();
    expect(handle.enabled).toBe(false);
    expect(subscribed()).toEqual([]);
    sdk.ingest.clear();
    b.received.length = 0;
    await callB();
    await httpGet(`${b.url}/ok`);
    await client.flush(2000);
    expect(b.received.map((r) => r.headers.traceparent)).toEqual([undefined, undefined]);
    expect(outboundTo('/ok')(sdk.ingest.items('http-requests'))).toEqual([]);
    expect(sdk.ingest.items('spans').filter((s: any) => s.operation === 'http.client')).toEqual([]);
  });

  it('shares one subscription between handles; the last disable() unsubscribes', async () => {
    const h1 = instrumentOutboundHttp();
    const h2 = instrumentOutboundHttp({ http: false });
    // The newest live handle's options apply.
    expect(subscribed()).toEqual(CHANNELS.slice(0, 4));
    h2.disable();
    expect(subscribed()).toEqual(CHANNELS);
    await callB();
    await sdk.ingest.waitFor('http-requests', (r) => outboundTo('/ok')(r).length === 1);
    h1.disable();
    expect(subscribed()).toEqual([]);
  });

  it('as an integration: set up by init, undone when its client closes, survives init replacing the client', async () => {
    const integration = outboundHttpIntegration();
    expect(integration.name).toBe('OutboundHttp');
    const first = sdk.init({ integrations: [integration] });
    expect(subscribed()).toEqual(CHANNELS);
    // init replaces the client: the old one closes after the new one set the integration up.
    const second = sdk.init({ integrations: [integration] });
    await first.close(2000);
    expect(subscribed()).toEqual(CHANNELS);
    await callB();
    expect(b.received[0]!.headers.traceparent).toMatch(TRACEPARENT);
    await second.close(2000);
    expect(subscribed()).toEqual([]);
    client = sdk.init();
  });

  it('validates options', () => {
    expect(() => instrumentOutboundHttp({ http: 'yes' as never })).toThrow(
      /Invalid `http`: must be a boolean/,
    );
    expect(() => outboundHttpIntegration({ ignoreOutgoingRequests: 1 as never })).toThrow(TypeError);
    expect(subscribed()).toEqual([]);
  });

  it('undici: false leaves fetch alone but still records http.request', async () => {
    const handle = instrumentOutboundHttp({ undici: false });
    try {
      await callB('/ok');
      await httpGet(`${b.url}/status/201`);
      await sdk.ingest.waitFor('http-requests', (r) => outboundTo('/status/201')(r).length === 1);
      await client.flush(2000);
      expect(outboundTo('/ok')(sdk.ingest.items('http-requests'))).toEqual([]);
      expect(b.received[0]!.headers.traceparent).toBeUndefined();
    } finally {
      handle.disable();
    }
  });
});

describe('while instrumented', () => {
  let handle: ReturnType<typeof instrumentOutboundHttp>;
  beforeEach(() => {
    handle = instrumentOutboundHttp();
  });
  afterEach(() => {
    handle.disable();
    client = sdk.init();
  });

  it('respects tracePropagationTargets (no headers) but still records', async () => {
    client = sdk.init({ tracePropagationTargets: ['https://api.example.com', /^http:\/\/10\./] });
    await callB();
    const h = b.received[0]!.headers;
    for (const name of [
      'traceparent',
      'tracestate',
      'allstak-trace',
      'baggage',
      'x-allstak-trace-id',
      'x-allstak-request-id',
    ]) {
      expect(h[name]).toBeUndefined();
    }
    await sdk.ingest.waitFor('http-requests', (r) => outboundTo('/ok')(r).length === 1);

    client = sdk.init({ tracePropagationTargets: [/^http:\/\/127\.0\.0\.1:\d+\/ok/] });
    b.received.length = 0;
    await callB();
    expect(b.received[0]!.headers.traceparent).toMatch(TRACEPARENT);
  });

  it('never overwrites headers the caller set (any casing, object or array form)', async () => {
    const mine = '00-11111111111111111111111111111111-2222222222222222-01';
    await callB('/ok', {
      headers: { TraceParent: mine, baggage: 'team=core', 'X-AllStak-Request-Id': 'caller-id' },
    });
    const h = b.received[0]!.headers;
    expect(h.traceparent).toBe(mine);
    expect(h.baggage).toBe('team=core');
    expect(h['x-allstak-request-id']).toBe('caller-id');
    // What the caller did not set is still written.
    expect(h['allstak-trace']).toMatch(/^[0-9a-f]{32}-[0-9a-f]{16}-[01]$/);

    b.received.length = 0;
    const r = await undici7.request(`${b.url}/ok`, { headers: ['traceparent', mine, 'Allstak-Trace', 'x'] });
    await r.body.text();
    expect(b.received[0]!.headers.traceparent).toBe(mine);
    expect(b.received[0]!.headers['allstak-trace']).toBe('x');
    expect(b.received[0]!.headers['x-allstak-trace-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it("sends a custom propagator's headers only as undici's own checks allow", async () => {
    const custom: Propagator = {
      name: 'custom',
      fields: ['X-Custom-Trace', 'x-evil'],
      extract: () => undefined,
      inject(ctx, carrier, set) {
        // Not plain ASCII, yet a valid value (obs-text): undici accepts it.
        set(carrier, 'X-Custom-Trace', `café-${ctx.traceId}`);
        // Header injection: undici rejects it, the call goes on without it.
        set(carrier, 'x-evil', 'a\r\nx-injected: 1');
      },
    };
    client = sdk.init({ propagators: ['w3c', custom] });
    await callB();
    const r = await undici7.request(`${b.url}/ok`);
    await r.body.text();
    expect(b.received).toHaveLength(2);
    for (const { headers: h } of b.received) {
      expect(h.traceparent).toMatch(TRACEPARENT);
      expect(h['x-custom-trace']).toMatch(/^café-[0-9a-f]{32}$/);
      expect(h['x-evil']).toBeUndefined();
      expect(h['x-injected']).toBeUndefined();
    }
  });

  it('adds the breadcrumb to the caller scope only', async () => {
    const processScope = getCurrentHub().scope;
    const before = processScope.breadcrumbs.length;
    const crumbs = await withScope(async (scope) => {
      // The forked scope starts with the process scope's crumbs from earlier tests.
      scope.clearBreadcrumbs();
      await callB('/ok?password=hunter2');
      return scope.breadcrumbs.filter((c) => c.type === 'http');
    });
    expect(crumbs).toHaveLength(1);
    expect(crumbs[0]).toMatchObject({
      level: 'info',
      data: { method: 'GET', url: `${b.url}/ok`, status_code: 200 },
    });
    expect(JSON.stringify(crumbs)).not.toContain('hunter2');
    expect(processScope.breadcrumbs.length).toBe(before);
  });

  it('treats a throwing ignoreOutgoingRequests as false, and honours true', async () => {
    handle.disable();
    let calls = 0;
    handle = instrumentOutboundHttp({
      ignoreOutgoingRequests: (url) => {
        calls++;
        if (url.endsWith('/status/204')) return true;
        throw new Error('boom');
      },
    });
    await callB('/ok');
    await callB('/status/204');
    await sdk.ingest.waitFor('http-requests', (r) => outboundTo('/ok')(r).length === 1);
    await client.flush(2000);
    expect(outboundTo('/status/204')(sdk.ingest.items('http-requests'))).toEqual([]);
    expect(b.received[1]!.headers.traceparent).toBeUndefined();
    expect(calls).toBe(2);
  });

  it("the SDK's own ingest traffic produces no spans, records, breadcrumbs or headers", async () => {
    const ingestHost = new URL(sdk.ingest.url).host;
    await withScope(async (scope) => {
      scope.clearBreadcrumbs();
      await callB('/ok');
      // Several flushes: every one is an outbound http request of the SDK's transport.
      for (let i = 0; i < 3; i++) await client.flush(2000);
      captureException(new Error('after flushing'));
      await client.flush(2000);
    });
    const [event] = await sdk.ingest.waitFor('errors', 1);
    const crumbs = (event.breadcrumbs ?? []).filter((c: any) => c.type === 'http');
    expect(crumbs.map((c: any) => c.data.url)).toEqual([`${b.url}/ok`]);

    const records = sdk.ingest.items('http-requests');
    expect(records.length).toBeGreaterThan(0);
    expect(records.filter((r: any) => r.host === ingestHost)).toEqual([]);
    const spans = sdk.ingest.items('spans');
    expect(spans.filter((s: any) => String(s.description).includes(ingestHost))).toEqual([]);
    // The transport's requests carried no trace headers.
    for (const req of sdk.ingest.attempts) {
      expect(req.headers.traceparent).toBeUndefined();
      expect(req.headers['allstak-trace']).toBeUndefined();
    }
  });

  it('leaves calls to the ingest host alone even outside the transport, and suppressed work entirely', async () => {
    const r = await fetch(`${sdk.ingest.url}/ingest/v1/heartbeat`, { method: 'POST', body: '{}' });
    await r.text();
    await runSuppressed(() => callB('/ok'));
    await runSuppressed(() => httpGet(`${b.url}/ok`));
    await client.flush(2000);
    const last = sdk.ingest.attempts.find((a) => a.path === '/ingest/v1/heartbeat');
    expect(last?.headers.traceparent).toBeUndefined();
    expect(b.received.map((r) => r.headers.traceparent)).toEqual([undefined, undefined]);
    expect(sdk.ingest.items('http-requests').filter((x: any) => x.direction === 'outbound')).toEqual([]);
  });
});
