import { beforeEach, describe, expect, it } from 'vitest';
import {
  addBreadcrumb,
  captureCheckIn,
  captureException,
  captureMessage,
  setContext,
  setExtras,
  setTag,
  setTags,
  setUser,
  withMonitor,
  withScope,
} from '../src/api.js';
import { getCurrentHub } from '../src/hub.js';
import { resolveOptions } from '../src/options.js';
import { useIngest } from './helpers/setup.js';

/**
 * Found by the reliability suite's hostile-input properties (issue 9): JavaScript callers can
 * pass anything to the public calls, which must neither throw into the app nor do work
 * proportional to a huge argument again and again.
 */

const ctx = useIngest();
beforeEach(() => getCurrentHub().scope.clearBreadcrumbs());
const trap = new Proxy(
  {},
  {
    ownKeys() {
      throw new Error('ownKeys');
    },
    get() {
      throw new Error('get');
    },
  },
);
const nullProto = Object.create(null);

describe('public calls with hostile arguments', () => {
  it('never throw', () => {
    ctx.start();
    for (const v of [
      trap,
      nullProto,
      {
        toString: () => {
          throw new Error('toString');
        },
      },
      undefined,
      null,
      'str',
      1,
    ]) {
      expect(() => addBreadcrumb(v as never)).not.toThrow();
      expect(() => setTag('k', v as never)).not.toThrow();
      expect(() => setTag(v as never, 'v')).not.toThrow();
      expect(() => setTags(v as never)).not.toThrow();
      expect(() => setExtras(v as never)).not.toThrow();
      expect(() => setContext(v as never, {})).not.toThrow();
      expect(() => setUser(v as never)).not.toThrow();
      expect(() => captureCheckIn(v as never)).not.toThrow();
    }
    const jobError = Object.defineProperty(new Error('job'), 'message', {
      get() {
        throw new Error('message getter');
      },
    });
    expect(() =>
      withMonitor('job', () => {
        throw jobError;
      }),
    ).toThrow(jobError);
  });

  it('a string, array or Buffer passed as a breadcrumb is ignored in O(1), not spread into the scope', () => {
    ctx.start();
    const start = performance.now();
    addBreadcrumb('x'.repeat(1_000_000) as never);
    addBreadcrumb(Buffer.alloc(10 * 1024 * 1024) as never);
    addBreadcrumb(new Array(1_000_000).fill(1) as never);
    captureException(Buffer.alloc(10 * 1024 * 1024));
    expect(performance.now() - start).toBeLessThan(200);
    expect(getCurrentHub().scope.breadcrumbs).toEqual([]);
    withScope((scope) => {
      const before = [Object.keys(scope.extras).length, Object.keys(scope.tags).length];
      setExtras('x'.repeat(100_000) as never);
      setTags('y'.repeat(100_000) as never);
      setTags(Buffer.alloc(1_000_000) as never);
      setExtras(new Array(100_000).fill(0) as never);
      expect([Object.keys(scope.extras).length, Object.keys(scope.tags).length]).toEqual(before);
    });
    addBreadcrumb({
      message: 42 as never,
      timestamp: 'soon' as never,
      level: 'warn',
      extra: 'dropped',
    } as never);
    expect(getCurrentHub().scope.breadcrumbs).toEqual([
      { message: '42', level: 'warn', timestamp: expect.any(Number) },
    ]);
  });

  it('with sendDefaultPii, cyclic breadcrumb data no longer loses the whole error event', async () => {
    ctx.start({ sendDefaultPii: true });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    addBreadcrumb({ message: 'with a cycle', data: cyclic });
    captureException(new Error('still arrives'));
    const [event] = await ctx.server.waitFor('errors', 1);
    expect(event.message).toBe('still arrives');
    expect(event.breadcrumbs[0]).toMatchObject({
      message: 'with a cycle',
      data: { a: 1, self: '[Circular]' },
    });
  });
});

describe('captureMessage with a huge message', () => {
  it('cuts it at 8192 characters like exception messages, before scrubbing', async () => {
    ctx.start();
    const start = performance.now();
    captureMessage(`${'word '.repeat(300_000)}end`);
    expect(performance.now() - start).toBeLessThan(200);
    const [event] = await ctx.server.waitFor('errors', 1);
    expect(event.message.length).toBeLessThanOrEqual(8193);
  });
});

describe('sendDefaultPii: true keeps the bounds', () => {
  it('an extra holding a 10 MB Buffer or a huge string is normalized, not JSON-encoded whole', async () => {
    ctx.start({ sendDefaultPii: true });
    withScope(() => {
      setExtras({ payload: Buffer.alloc(10 * 1024 * 1024), text: 'x'.repeat(100_000), n: 10n });
      captureException(new Error('bounded extras'));
    });
    const [event] = await ctx.server.waitFor('errors', 1);
    expect(event.metadata.payload).toBe(`[Buffer ${10 * 1024 * 1024} bytes]`);
    expect(event.metadata.text.length).toBeLessThanOrEqual(8192);
    expect(event.metadata.n).toBe('10');
  });
});

describe('option names that exist on Object.prototype', () => {
  it('are ignored like any unknown option', () => {
    expect(() => resolveOptions({ toString: 1, constructor: 2, valueOf: 0 } as never, {})).not.toThrow();
  });
});

describe('breadcrumb data that is not an object', () => {
  it('is wrapped, so the event stays valid and arrives', async () => {
    ctx.start();
    withScope(() => {
      addBreadcrumb({ message: 'array', data: [1, 2] as never });
      addBreadcrumb({ message: 'date', data: new Date(0) as never });
      captureException(new Error('odd crumbs'));
    });
    const [event] = await ctx.server.waitFor('errors', 1);
    expect(event.breadcrumbs.map((b: { data: unknown }) => b.data)).toEqual([
      { value: [1, 2] },
      { value: '1970-01-01T00:00:00.000Z' },
    ]);
  });
});

describe('more JavaScript-caller mistakes never throw', () => {
  it('startSpan without options, setTag with an unprintable value, an unknown level', async () => {
    const { startSpan } = await import('../src/tracing/api.js');
    const { captureMessage } = await import('../src/api.js');
    expect(startSpan(undefined as never, () => 7)).toBe(7);
    expect(() => startSpan('x', (s) => s.setTag('k', Object.create(null)))).not.toThrow();
    expect(() => captureMessage('m', 'loud' as never)).not.toThrow();
  });
});
