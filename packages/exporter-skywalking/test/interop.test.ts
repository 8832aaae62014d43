import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { type Client, init, setRequestRoute } from '@sightline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboundHttpIntegration } from '@sightline/undici';
import { skywalkingExporter } from '../src/index.js';
import { type FakeOap, startFakeOap } from './helpers/oap.js';
import { type Service, startService } from './helpers/services.js';

/**
 * Interop with the official agent: a service instrumented by skywalking-backend-js (a child
 * process; its gRPC reporting points at a closed port and fails harmlessly) calls a Sightline
 * service, and the other way round. Each side's CrossProcess ref must name the other side's
 * segment and exit span exactly, as that side recorded them (the agent's own finished segments
 * are the ground truth on its side).
 */

interface AgentRef {
  refType: string;
  traceId: string;
  segmentId: string;
  spanId: number;
  service: string;
  serviceInstance: string;
  endpoint: string;
  clientAddress: string;
}
interface AgentSpan {
  id: number;
  parentId: number;
  operation: string;
  type: number;
  peer: string;
  refs: AgentRef[];
}
interface AgentSegment {
  traceId: string;
  segmentId: string;
  spans: AgentSpan[];
}

const FIXTURE = fileURLToPath(new URL('./fixtures/agent-service.cjs', import.meta.url));
// Tracing.proto SpanType numbers, as the agent stores them.
const ENTRY = 0;
const EXIT = 1;

let oap: FakeOap;
let svc: Service;
let client: Client;
let child: ChildProcess;
let agentUrl: string;
const agentSegments: AgentSegment[] = [];

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function startAgentService(target: string, collectorPort: number): Promise<string> {
  return new Promise((resolve, reject) => {
    child = spawn(process.execPath, [FIXTURE, target, String(collectorPort)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SW_AGENT_LOGGING_LEVEL: 'error' },
    });
    let buf = '';
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4096);
    });
    const timer = setTimeout(() => reject(new Error(`agent service did not start: ${stderr}`)), 15_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      buf += chunk.toString('utf8');
      let nl = buf.indexOf('\n');
      while (nl !== -1) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        nl = buf.indexOf('\n');
        let msg: { port?: number; segment?: AgentSegment } | undefined;
        try {
          msg = JSON.parse(line);
        } catch {
          continue; // the agent's own log output
        }
        if (msg?.port) {
          clearTimeout(timer);
          resolve(`http://127.0.0.1:${msg.port}`);
        }
        if (msg?.segment) agentSegments.push(msg.segment);
      }
    });
    child.once('exit', (code) => reject(new Error(`agent service exited with ${code}: ${stderr}`)));
  });
}

beforeAll(async () => {
  oap = await startFakeOap();
  svc = await startService({
    '/from-agent': (req, res) => {
      setRequestRoute(req, '/from-agent');
      res.end('hello from sightline');
    },
    '/to-agent': async (req, res) => {
      setRequestRoute(req, '/to-agent');
      const r = await fetch(`${agentUrl}/leaf`);
      res.end(await r.text());
    },
  });
  client = init({
    service: 'sightline-downstream',
    defaultIntegrations: false,
    flushInterval: 20,
    exporters: [
      skywalkingExporter({ address: oap.url, serviceInstance: 'downstream-1', keepAliveInterval: 60_000 }),
    ],
    propagators: ['sw8', 'w3c', 'allstak'],
    // Only the service's own call to the agent is instrumented, not the test's calls.
    integrations: [outboundHttpIntegration({ ignoreOutgoingRequests: (url) => !url.endsWith('/leaf') })],
  });
  agentUrl = await startAgentService(svc.url, await closedPort());
}, 30_000);

afterAll(async () => {
  child?.kill();
  await client?.close(2000);
  await Promise.all([svc?.stop(), oap?.stop()]);
});

describe('skywalking-backend-js → Sightline', () => {
  it("the Sightline entry span's ref points at the agent's segment and exit span", async () => {
    const res = await fetch(`${agentUrl}/start`);
    const body = (await res.json()) as { status: number; sw8: string };
    expect(body.status).toBe(200);
    expect(body.sw8).toMatch(/^1-/);

    const agentSeg = await oap.waitFor(
      () => agentSegments.find((s) => s.spans.some((x) => x.type === EXIT)),
      10_000,
    );
    const exit = agentSeg.spans.find((s) => s.type === EXIT) as AgentSpan;
    const entry = agentSeg.spans.find((s) => s.type === ENTRY) as AgentSpan;
    expect(exit.parentId).toBe(entry.id);

    const segment = await oap.waitFor(() => oap.segments().find((s) => s.traceId === agentSeg.traceId));
    expect(oap.invalid).toEqual([]);
    expect(segment.service).toBe('sightline-downstream');
    const spans = segment.spans as Record<string, unknown>[];
    expect(spans).toHaveLength(1);
    expect(spans[0]).toMatchObject({
      spanId: 0,
      parentSpanId: -1,
      spanType: 'Entry',
      operationName: 'GET /from-agent',
      componentId: 4001,
    });
    expect(spans[0]?.refs).toEqual([
      {
        refType: 'CrossProcess',
        traceId: agentSeg.traceId,
        parentTraceSegmentId: agentSeg.segmentId,
        parentSpanId: exit.id,
        parentService: 'sw-upstream',
        parentServiceInstance: 'upstream-1',
        // The agent names the exit span's operation here (its ContextCarrier), not the entry's.
        parentEndpoint: exit.operation,
        networkAddressUsedAtPeer: exit.peer,
      },
    ]);
    expect(exit.peer).toBe(`127.0.0.1:${new URL(svc.url).port}`);
    // The agent's uuid-based trace id is Sightline's trace id too, so other exporters line up.
    expect(agentSeg.traceId).toMatch(/^[0-9a-f]{32}$/);
  });

  it('Sightline → agent: the agent reads the sw8 Sightline sends as a ref to the Sightline segment and exit span', async () => {
    const res = await fetch(`${svc.url}/to-agent`);
    expect(await res.text()).toBe('leaf');
    const traceId = res.headers.get('x-allstak-trace-id') as string;
    const segment = await oap.waitFor(() => oap.segments().find((s) => s.traceId === traceId));
    expect(oap.invalid).toEqual([]);
    const exit = (segment.spans as Record<string, unknown>[]).find((s) => s.spanType === 'Exit');
    expect(exit).toMatchObject({
      parentSpanId: 0,
      operationName: '/leaf',
      componentId: 2,
      peer: `127.0.0.1:${new URL(agentUrl).port}`,
    });

    const leaf = await oap.waitFor(() => agentSegments.find((s) => s.traceId === traceId), 10_000);
    const entry = leaf.spans.find((s) => s.type === ENTRY) as AgentSpan;
    expect(entry.operation).toBe('GET:/leaf');
    expect(entry.refs).toEqual([
      {
        refType: 'CrossProcess',
        traceId,
        segmentId: segment.traceSegmentId,
        spanId: exit?.spanId,
        service: 'sightline-downstream',
        serviceInstance: 'downstream-1',
        endpoint: 'GET /to-agent',
        clientAddress: `127.0.0.1:${new URL(agentUrl).port}`,
      },
    ]);
  });
});
