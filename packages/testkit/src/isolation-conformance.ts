import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useSightline } from './adapter-setup.js';
import type { ConformanceTarget } from './conformance-target.js';
import { type Listening, abortAfter } from './http-client.js';
import { spanId, traceId } from './ids.js';
import { holdIsolationWork } from './isolation-work.js';
import { expectProcessHubClean } from './process-hub.js';
import { sleep } from './sleep.js';

const N = 200;
/** Requests aborted by the client halfway through their work. */
const ABORTED = 10;

/**
 * The isolation scenarios every middleware adapter (Express, Koa) must pass, per major: 200
 * concurrent requests whose scope work interleaves (`isolationWork`) each keep their own
 * user, tag, breadcrumbs, log, error, record, span and trace; and neither they nor requests the
 * client aborted halfway through their work (which then goes on) leave any of it on the process
 * hub ({@link expectProcessHubClean}). Registers its own {@link useSightline} harness (queue
 * big enough for all 200 requests' items).
 *
 * The app must serve `GET /iso/:n` → `await isolationWork(n)`, then 200 `{ n }` (template
 * `/iso/:n`).
 * @example
 * describeIsolationConformance({ majors: MAJORS, start: (express) => listen(createServer(buildApp(express))) });
 */
export function describeIsolationConformance<F>(target: ConformanceTarget<F>): void {
  const h = useSightline({ transportQueueSize: 5000 }, { perTest: false });

  describe.each(target.majors)('isolation on %s', (_major, factory) => {
    let app: Listening;
    beforeAll(async () => {
      app = await target.start(factory);
    });
    afterAll(async () => {
      await app.close();
    });

    it(`keeps ${N} concurrent interleaved requests apart, item by item`, async () => {
      h.server.clear();
      const sent = Array.from({ length: N }, (_, i) => ({
        n: String(i),
        trace: traceId(),
        parent: spanId(),
      }));
      const answers = await Promise.all(
        sent.map(async (s) => {
          const res = await fetch(`${app.url}/iso/${s.n}`, {
            headers: { traceparent: `00-${s.trace}-${s.parent}-01` },
          });
          expect(await res.json()).toEqual({ n: s.n });
          return {
            ...s,
            requestId: res.headers.get('x-allstak-request-id')!,
            traceHeader: res.headers.get('x-allstak-trace-id'),
          };
        }),
      );
      const byN = new Map(answers.map((a) => [a.n, a]));
      for (const a of answers) expect(a.traceHeader).toBe(a.trace);

      await h.server.waitFor('errors', N, 15_000);
      await h.client.flush(5000);
      const errors = h.server.items('errors');
      const logs = h.server.items('logs');
      const records = h.server.items('http-requests');
      const spans = h.server.items('spans');
      expect(errors).toHaveLength(N);
      expect(logs).toHaveLength(N);
      expect(records).toHaveLength(N);
      expect(spans).toHaveLength(N);

      for (const e of errors) {
        const n = e.metadata.req as string;
        const a = byN.get(n)!;
        expect(e.message).toBe(`iso ${n}`);
        expect(e.user).toEqual({ id: n });
        expect(e.traceId).toBe(a.trace);
        expect(e.parentSpanId).toBe(a.parent);
        expect(e.requestId).toBe(a.requestId);
        expect(e.breadcrumbs.map((b: { message: string }) => b.message)).toEqual([`crumb ${n}`]);
        expect(e.requestContext).toMatchObject({ path: `/iso/${n}`, route: '/iso/:n' });
      }
      expect(new Set(errors.map((e) => e.metadata.req)).size).toBe(N);
      for (const l of logs) {
        const n = (l.message as string).slice(4);
        const a = byN.get(n)!;
        expect(l).toMatchObject({ userId: n, traceId: a.trace, requestId: a.requestId });
      }
      for (const r of records) {
        const a = answers.find((x) => x.requestId === r.requestId)!;
        expect(r).toMatchObject({
          path: '/iso/:n',
          traceId: a.trace,
          parentSpanId: a.parent,
          userId: a.n,
          statusCode: 200,
        });
      }
      const spanIds = new Set(spans.map((s) => s.spanId));
      expect(spanIds.size).toBe(N);
      for (const e of errors) expect(spanIds.has(e.spanId)).toBe(true);
      expect(h.server.invalid).toEqual([]);
      expectProcessHubClean();
    });

    it(`leaves nothing on the process hub when ${ABORTED} clients abort halfway through the work`, async () => {
      h.server.clear();
      const held = Array.from({ length: ABORTED }, (_, i) => {
        const n = `aborted-${i}`;
        return { n, work: holdIsolationWork(n) };
      });
      // Each client leaves once its request set user, tag and breadcrumb; then the rest of the
      // work (log, error, the answer to nobody) runs after the response closed.
      await Promise.all(
        held.map(({ n, work }) =>
          abortAfter(app.port, `/iso/${n}`, work.reached, `traceparent: 00-${traceId()}-${spanId()}-01\r\n`),
        ),
      );
      for (const { work } of held) work.release();
      await Promise.all(held.map(({ work }) => work.done));
      // What the framework does after the handler returned (answering a closed socket).
      await sleep(10);

      const errors = await h.server.waitFor('errors', ABORTED);
      // The work after the abort still ran in its own request.
      for (const e of errors) expect(e.user).toEqual({ id: e.metadata.req });
      expect(new Set(errors.map((e) => e.metadata.req))).toEqual(new Set(held.map((x) => x.n)));
      expectProcessHubClean();
    });
  });
}
