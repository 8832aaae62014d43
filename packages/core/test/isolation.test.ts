import { describe, expect, it } from 'vitest';
import { addBreadcrumb, captureException, logger, setTag, setUser, withScope } from '../src/api.js';
import { continueTrace, startSpan } from '../src/tracing/api.js';
import { sleep, useIngest } from './helpers/setup.js';

const t = useIngest();

describe('per-flow isolation', () => {
  it('200 interleaved withScope flows never see each other’s user, tags, breadcrumbs or trace', async () => {
    t.start({ transportQueueSize: 5000, maxBreadcrumbs: 10 });
    const N = 200;
    const traceIds = new Map<string, string>();
    const flows = Array.from({ length: N }, (_, i) => {
      const traceId = (i + 1).toString(16).padStart(32, 'a');
      traceIds.set(`flow-${i}`, traceId);
      return continueTrace({ traceparent: `00-${traceId}-${'b'.repeat(16)}-01` }, () =>
        withScope(async () => {
          await sleep(Math.random() * 5);
          setUser({ id: `user-${i}` });
          await sleep(Math.random() * 5);
          setTag('flow', `flow-${i}`);
          addBreadcrumb({ message: `crumb-${i}` });
          await sleep(Math.random() * 5);
          logger.info(`log-${i}`, { flow: i });
          await startSpan({ name: `work-${i}` }, async () => {
            await sleep(Math.random() * 5);
            captureException(new Error(`error-${i}`));
          });
        }),
      );
    });
    await Promise.all(flows);
    await t.client.flush(5000);
    const errors = t.server.items('errors');
    const logs = t.server.items('logs');
    const spans = t.server.items('spans');
    expect(errors).toHaveLength(N);
    expect(logs).toHaveLength(N);
    expect(spans).toHaveLength(N);
    for (const e of errors) {
      const i = Number(e.message.slice('error-'.length));
      expect(e.user).toEqual({ id: `user-${i}` });
      expect(e.metadata.flow).toBe(`flow-${i}`);
      expect(e.breadcrumbs.map((b: { message: string }) => b.message)).toEqual([`crumb-${i}`]);
      expect(e.traceId).toBe(traceIds.get(`flow-${i}`));
    }
    for (const l of logs) {
      const i = Number(l.message.slice('log-'.length));
      expect(l.traceId).toBe(traceIds.get(`flow-${i}`));
      expect(l.userId).toBe(`user-${i}`);
      expect(l.metadata).toEqual({ flow: i });
    }
    for (const s of spans) {
      const i = Number(s.operation.slice('work-'.length));
      expect(s.traceId).toBe(traceIds.get(`flow-${i}`));
      expect(s.parentSpanId).toBe('b'.repeat(16));
    }
    expect(t.server.invalid).toEqual([]);
  });

  it('a forked scope does not write into its parent (copy-on-write)', async () => {
    t.start();
    setTag('outer', '1');
    withScope(() => {
      setTag('inner', '2');
      addBreadcrumb({ message: 'inner crumb' });
    });
    captureException(new Error('outer event'));
    const [e] = await t.server.waitFor('errors', 1);
    expect(e.metadata.outer).toBe('1');
    expect(e.metadata.inner).toBeUndefined();
    expect(e.breadcrumbs).toBeUndefined();
  });
});
