import {
  abortAfter,
  expectProcessHubClean,
  holdIsolationWork,
  sleep,
  spanId,
  traceId,
  useSightline,
} from '@sightline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAJORS, type Running, startApp } from './helpers/app.js';

const N = 200;
/** Requests aborted by the client halfway through their work. */
const ABORTED = 10;

const h = useSightline({ maxBreadcrumbs: 100 }, { perTest: false });

describe.each(MAJORS)('isolation on %s', (_major, factory) => {
  let app: Running;
  beforeAll(async () => {
    app = await startApp(factory);
  });
  afterAll(async () => {
    await app.close();
  });

  it(`keeps user, tags, breadcrumbs, logs and trace of ${N} interleaved requests apart`, async () => {
    h.server.clear();
    const sent = Array.from({ length: N }, (_, i) => ({ n: String(i), trace: traceId(), parent: spanId() }));
    const answers = await Promise.all(
      sent.map(async (s) => {
        const res = await fetch(`${app.url}/iso/${s.n}`, {
          headers: { traceparent: `00-${s.trace}-${s.parent}-01` },
        });
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ n: s.n });
        return { ...s, requestId: String(res.headers.get('x-allstak-request-id')) };
      }),
    );
    const byN = new Map(answers.map((a) => [a.n, a]));
    expect(new Set(answers.map((a) => a.requestId)).size).toBe(N);

    await h.client.flush(10_000);
    const errors = await h.server.waitFor('errors', N);
    const logs = await h.server.waitFor('logs', N);
    const records = await h.server.waitFor('http-requests', N);
    const spans = await h.server.waitFor('spans', N);
    expect(errors).toHaveLength(N);
    expect(logs).toHaveLength(N);
    expect(records).toHaveLength(N);
    expect(spans).toHaveLength(N);

    for (const e of errors) {
      const n = String(e.message).replace('iso ', '');
      const mine = byN.get(n)!;
      expect(mine, e.message).toBeDefined();
      expect(e.user, n).toEqual({ id: n });
      expect(e.metadata.req, n).toBe(n);
      expect(e.traceId, n).toBe(mine.trace);
      expect(e.parentSpanId, n).toBe(mine.parent);
      expect(e.requestId, n).toBe(mine.requestId);
      expect(e.requestContext, n).toMatchObject({ path: `/iso/${n}`, route: '/iso/:n' });
      expect(
        e.breadcrumbs.map((b: { message: string }) => b.message),
        n,
      ).toEqual([`crumb ${n}`]);
    }
    expect(new Set(errors.map((e) => e.message)).size).toBe(N);

    for (const l of logs) {
      const n = String(l.message).replace('log ', '');
      const mine = byN.get(n)!;
      expect(l.userId, n).toBe(n);
      expect(l.traceId, n).toBe(mine.trace);
      expect(l.requestId, n).toBe(mine.requestId);
    }

    const spanById = new Map(spans.map((s) => [s.spanId, s]));
    for (const r of records) {
      const mine = answers.find((a) => a.requestId === r.requestId)!;
      expect(r, r.requestId).toMatchObject({
        path: '/iso/:n',
        traceId: mine.trace,
        parentSpanId: mine.parent,
        userId: mine.n,
      });
      expect(spanById.get(r.spanId), r.requestId).toMatchObject({
        traceId: mine.trace,
        parentSpanId: mine.parent,
      });
    }
    expect(h.server.invalid).toEqual([]);
    expectProcessHubClean();
  });

  it(`leaves nothing on the process hub when ${ABORTED} clients abort halfway through the work`, async () => {
    h.server.clear();
    const held = Array.from({ length: ABORTED }, (_, i) => {
      const n = `aborted-${i}`;
      return { n, work: holdIsolationWork(n) };
    });
    // Each client leaves once its request set user, tag and breadcrumb; then the rest of the work
    // (log, error, the reply to nobody) runs after the response closed.
    await Promise.all(
      held.map(({ n, work }) =>
        abortAfter(app.port, `/iso/${n}`, work.reached, `traceparent: 00-${traceId()}-${spanId()}-01\r\n`),
      ),
    );
    for (const { work } of held) work.release();
    await Promise.all(held.map(({ work }) => work.done));
    // What Fastify does after the handler returned (replying on a closed socket, onResponse).
    await sleep(10);

    const errors = await h.server.waitFor('errors', ABORTED);
    // The work after the abort still ran in its own request.
    for (const e of errors) expect(e.user).toEqual({ id: e.metadata.req });
    expect(new Set(errors.map((e) => e.metadata.req))).toEqual(new Set(held.map((x) => x.n)));
    expectProcessHubClean();
  });
});
