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
import { datadogExporter } from '../src/index.js';
import { type AgentSpan, spansOf } from './helpers/payload.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/dd-service.cjs', import.meta.url));

// dd-trace must never reach a real agent or the network: everything goes to the stub agent.
const DD_ENV = {
  DD_TRACE_STARTUP_LOGS: 'false',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  DD_PROFILING_ENABLED: 'false',
  DD_CRASHTRACKING_ENABLED: 'false',
  DD_RUNTIME_METRICS_ENABLED: 'false',
  DD_APPSEC_ENABLED: 'false',
  DD_IAST_ENABLED: 'false',
  DD_DATA_STREAMS_ENABLED: 'false',
  DD_TRACE_STATS_COMPUTATION_ENABLED: 'false',
  DD_LOGS_INJECTION: 'false',
  DD_TRACE_TELEMETRY_ENABLED: 'false',
  DD_DOGSTATSD_HOST: '127.0.0.1',
  // A sampling rule makes dd-trace decide USER_KEEP (2), a priority Sightline must keep.
  DD_TRACE_SAMPLING_RULES: '[{"sample_rate":1}]',
  DD_TRACE_128_BIT_TRACEID_GENERATION_ENABLED: 'true',
};

let agent: Receiver;
let dd: ChildService;
let app: Listening;
let outbound: OutboundHttpHandle;

async function until<T>(fn: () => T | undefined, what: string, timeoutMs = 8000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeAll(async () => {
  agent = await startReceiver('{"rate_by_service":{"service:,env:":1}}');
  dd = await spawnService(FIXTURE, { ...DD_ENV, DD_TRACE_AGENT_URL: agent.url, DD_AGENT_HOST: '127.0.0.1' });
  init({
    exporters: [datadogExporter({ url: agent.url, variables: {} })],
    propagators: ['datadog', 'w3c'],
    service: 'sightline-svc',
    flushInterval: 20,
    defaultIntegrations: false,
  });
  outbound = instrumentOutboundHttp({ breadcrumbs: false, ignoreOutgoingRequests: (url) => url.endsWith('/call') });
  app = await startInstrumentedApp({
    '/sl/proxy': async (req, res) => {
      const target = new URL(req.url ?? '/', 'http://x').searchParams.get('target') ?? '';
      const r = await fetch(target);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ received: req.headers, downstream: await r.json() }));
    },
  });
});

afterAll(async () => {
  outbound?.disable();
  await close(1000);
  await app?.close();
  await dd?.stop();
  await agent?.stop();
});

describe('interop with dd-trace (datadog headers, 128-bit ids, sampling priority)', () => {
  it('dd-trace → Sightline → dd-trace continues one trace with the same ids and priority', async () => {
    const target = `${app.url}/sl/proxy?target=${encodeURIComponent(`${dd.url}/leaf`)}`;
    const res = await fetch(`${dd.url}/call?target=${encodeURIComponent(target)}`);
    expect(res.status).toBe(200);
    const body: any = await res.json();
    const entry = body.self;
    const slReceived = body.downstream.received;
    const leaf = body.downstream.downstream.self;

    // dd-trace made a 128-bit trace with a sampling-rule decision (USER_KEEP).
    expect(entry.priority).toBe(2);
    expect(entry.traceId128).toMatch(/^[0-9a-f]{32}$/);
    expect(entry.tid).toBe(entry.traceId128.slice(0, 16));
    expect(slReceived['x-datadog-trace-id']).toBe(entry.traceId);
    expect(slReceived['x-datadog-sampling-priority']).toBe('2');

    // Sightline → dd-trace: the leaf continues the same 128-bit trace, with priority 2 kept.
    expect(leaf.headers.traceId).toBe(entry.traceId);
    expect(leaf.headers.priority).toBe('2');
    expect(leaf.headers.tags).toContain(`_dd.p.tid=${entry.tid}`);
    expect(leaf.traceId128).toBe(entry.traceId128);
    expect(leaf.priority).toBe(2);

    // What both tracers reported to the same agent links up span by span.
    const traceId = BigInt(entry.traceId);
    const find = (pred: (s: AgentSpan) => boolean) => spansOf(agent.requests.filter((r) => r.path === '/v0.4/traces')).find(pred);
    const ddEntry = await until(() => find((s) => s.service === 'dd-svc' && s.name === 'web.request' && s.span_id === BigInt(entry.spanId)), 'dd-trace entry span');
    const ddClient = await until(() => find((s) => s.service === 'dd-svc' && s.name === 'http.request' && s.parent_id === ddEntry.span_id), 'dd-trace client span');
    const slServer = await until(() => find((s) => s.service === 'sightline-svc' && s.name === 'web.request'), 'Sightline server span');
    const slClient = await until(() => find((s) => s.service === 'sightline-svc' && s.name === 'http.request'), 'Sightline client span');
    const ddLeaf = await until(() => find((s) => s.service === 'dd-svc' && s.name === 'web.request' && s.span_id === BigInt(leaf.spanId)), 'dd-trace leaf span');

    for (const s of [ddEntry, ddClient, slServer, slClient, ddLeaf]) expect(s.trace_id).toBe(traceId);
    expect(slServer.parent_id).toBe(ddClient.span_id);
    expect(slServer.resource).toBe('GET /sl/proxy');
    expect(slServer.metrics._sampling_priority_v1).toBe(2);
    expect(slClient.parent_id).toBe(slServer.span_id);
    expect(ddLeaf.parent_id).toBe(slClient.span_id);
    expect(BigInt(leaf.parentId)).toBe(slClient.span_id);
    // Both tracers name the trace's high 64 bits the same way.
    const slChunkTid = [slServer, slClient].map((s) => s.meta['_dd.p.tid']).find(Boolean);
    expect(slChunkTid).toBe(entry.tid);
    expect(ddEntry.meta['_dd.p.tid'] ?? ddClient.meta['_dd.p.tid']).toBe(entry.tid);
  });

  it('a trace Sightline starts is continued by dd-trace with the full 128-bit id and AUTO_KEEP', async () => {
    let ours = '';
    const leaf = await startSpan({ name: 'batch-job' }, async (span) => {
      ours = span.traceId;
      const r = await fetch(`${dd.url}/leaf`);
      return ((await r.json()) as { self: Record<string, unknown> }).self;
    });
    const slClient = await until(
      () => spansOf(agent.requests.filter((r) => r.path === '/v0.4/traces')).find((s) => s.service === 'sightline-svc' && s.name === 'http.request' && s.span_id === BigInt(leaf.parentId as string)),
      'Sightline client span',
    );
    // dd-trace rebuilt exactly Sightline's random 128-bit id from x-datadog-trace-id + _dd.p.tid.
    expect(leaf.traceId128).toBe(ours);
    expect(ours.slice(0, 16)).not.toBe('0000000000000000');
    expect(BigInt(`0x${ours.slice(16)}`)).toBe(slClient.trace_id);
    expect(leaf.tid).toBe(ours.slice(0, 16));
    expect(leaf.priority).toBe(1);
    expect((leaf.headers as Record<string, string>).priority).toBe('1');
  });
});
