import http from 'node:http';
import { expectProcessHubClean, sleep } from '@sightline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../helpers/app.js';
import { arrivedAt, releaseGate } from '../helpers/gates.js';
import { type Reply, send } from '../helpers/http.js';
import { PLATFORMS } from '../helpers/nest.js';
import {
  type Telemetry,
  type TraceParent,
  itemsFor,
  startTelemetry,
  traceparent,
} from '../helpers/telemetry.js';

const N = 200;
/** Requests aborted by the client while their handler holds (user, tag and breadcrumb set). */
const ABORTED = 10;

/** Behaviour 5: 200 concurrent, interleaved requests never see each other's context. */
describe.each(PLATFORMS)('isolation under concurrency (%s)', (platform) => {
  let t: Telemetry;
  let app: RunningApp;

  beforeAll(async () => {
    t = await startTelemetry({ maxBatchSize: 500 });
    app = await startApp({ platform });
  });

  afterAll(async () => {
    await app?.close();
    await t?.stop();
  });

  it(`keeps user, tags, breadcrumbs, logs and trace ids of ${N} interleaved requests apart`, async () => {
    const sent = new Map<string, { n: string; tp: TraceParent; reply: Reply }>();
    await Promise.all(
      Array.from({ length: N }, async (_, i) => {
        const n = String(i);
        const tp = traceparent();
        const reply = await send(app.url, `/iso/${n}`, { headers: { traceparent: tp.header } });
        expect(reply.status).toBe(200);
        expect(JSON.parse(reply.body)).toEqual({ n });
        sent.set(n, { n, tp, reply });
      }),
    );
    expect(sent.size).toBe(N);

    const errors = await t.server.waitFor('errors', N);
    const logs = await t.server.waitFor('logs', N);
    const records = await t.server.waitFor(
      'http-requests',
      (r) => r.filter((x) => x.path === '/iso/:n').length >= N,
    );
    await t.client.flush(2000);

    const isoErrors = t.server.items('errors').filter((e) => e.message.startsWith('iso '));
    expect(isoErrors).toHaveLength(N);
    for (const e of isoErrors) {
      const n = e.metadata.req as string;
      const { tp, reply } = sent.get(n)!;
      expect(e.message).toBe(`iso ${n}`);
      expect(e.user).toEqual({ id: `user-${n}` });
      expect(e.breadcrumbs.map((b: { message: string }) => b.message)).toEqual([`crumb ${n}`]);
      expect(e.traceId).toBe(tp.traceId);
      expect(e.parentSpanId).toBe(tp.spanId);
      expect(e.requestId).toBe(reply.requestId);
      expect(e.requestContext).toMatchObject({ path: `/iso/${n}`, route: '/iso/:n' });
    }
    expect(new Set(isoErrors.map((e) => e.metadata.req)).size).toBe(N);

    const isoLogs = logs.filter((l) => l.message.startsWith('log '));
    expect(isoLogs).toHaveLength(N);
    for (const l of isoLogs) {
      const n = l.metadata.n as string;
      const { tp, reply } = sent.get(n)!;
      expect(l.message).toBe(`log ${n}`);
      expect(l.userId).toBe(`user-${n}`);
      expect(l.traceId).toBe(tp.traceId);
      expect(l.requestId).toBe(reply.requestId);
    }

    const isoRecords = records.filter((r) => r.path === '/iso/:n');
    expect(isoRecords).toHaveLength(N);
    const byRequest = new Map([...sent.values()].map((s) => [s.reply.requestId, s]));
    for (const r of isoRecords) {
      const s = byRequest.get(r.requestId)!;
      expect(r.traceId).toBe(s.tp.traceId);
      expect(r.parentSpanId).toBe(s.tp.spanId);
      expect(r.userId).toBe(`user-${s.n}`);
      expect(s.reply.traceId).toBe(r.traceId);
    }
    expect(errors.length).toBeGreaterThanOrEqual(N);
    expect(t.server.invalid).toEqual([]);
    expectProcessHubClean();
  });

  it(`leaves nothing on the process hub when ${ABORTED} clients abort while their handler holds`, async () => {
    const ids = Array.from({ length: ABORTED }, (_, i) => `abort-${platform}-${i}`);
    await Promise.all(
      ids.map(async (id) => {
        const req = http.request(`${app.url}/slow/hang`, {
          headers: { 'x-request-id': id, traceparent: traceparent().header },
          agent: false,
        });
        req.on('error', () => {});
        req.end();
        await arrivedAt(id);
        req.destroy();
        await itemsFor(t.server, 'http-requests', id);
      }),
    );
    // The handlers go on after their clients left: a tag and a log each, then Nest's reply to
    // a closed socket.
    for (const id of ids) releaseGate(id);
    for (const id of ids) {
      const [log] = await itemsFor(t.server, 'logs', id);
      expect(log).toMatchObject({ message: `released ${id}`, userId: `hang-${id}` });
    }
    await sleep(10);
    expectProcessHubClean();
  });
});
