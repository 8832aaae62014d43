import { describe, expect, it } from 'vitest';
import {
  addBreadcrumb,
  captureException,
  captureMessage,
  logger,
  setContext,
  setExtra,
  setTag,
  setUser,
  withScope,
} from '../src/api.js';
import { continueTrace, startSpan } from '../src/tracing/api.js';
import { useIngest } from './helpers/setup.js';

const t = useIngest();

function throwFromHere(): never {
  throw new TypeError('bad input for checkout');
}

describe('captureException', () => {
  it('sends an error event with frames, source context, scope data and cause chain', async () => {
    t.start({ release: '1.0.0', environment: 'test' });
    let err: unknown;
    try {
      throwFromHere();
    } catch (e) {
      err = new Error('checkout failed', { cause: e });
    }
    withScope(() => {
      setUser({ id: 'u-1' });
      setTag('plan', 'pro');
      setExtra('cart', { items: 3 });
      setContext('order', { id: 'o-7' });
      addBreadcrumb({ category: 'ui', message: 'clicked pay', level: 'info' });
      expect(captureException(err)).toMatch(/^[0-9a-f-]{36}$/);
    });
    const [event] = await t.server.waitFor('errors', 1);
    expect(t.server.invalid).toEqual([]);
    expect(event).toMatchObject({
      exceptionClass: 'Error',
      message: 'checkout failed',
      level: 'error',
      environment: 'test',
      release: '1.0.0',
      platform: 'node',
      sdkName: 'sightline-node',
      user: { id: 'u-1' },
      breadcrumbs: [{ category: 'ui', message: 'clicked pay', level: 'info', type: 'default' }],
      metadata: {
        plan: 'pro',
        cart: '{"items":3}',
        'context.order': '{"id":"o-7"}',
        'cause.0.exceptionClass': 'TypeError',
        'cause.0.message': 'bad input for checkout',
        handled: true,
      },
    });
    expect(event.stackTrace[0]).toMatch(/^ {4}at .*capture\.test\.ts:\d+:\d+\)?$/);
    const top = event.frames[event.frames.length - 1];
    expect(top.inApp).toBe(true);
    expect(top.filename).toContain('capture.test.ts');
    expect(top.contextLine).toContain("err = new Error('checkout failed', { cause: e });");
    expect(top.preContext.length).toBeGreaterThan(0);
    expect(event.metadata['cause.0.stackTrace']).toContain('throwFromHere');
  });

  it('captures non-Error throwables sensibly', async () => {
    t.start();
    captureException('plain string');
    captureException({ code: 42, reason: 'x' });
    captureException(null);
    const events = await t.server.waitFor('errors', 3);
    expect(events.map((e) => [e.exceptionClass, e.message]).sort()).toEqual(
      [
        ['Error', 'plain string'],
        ['Error', 'Non-Error exception captured with keys: code, reason'],
        ['Error', 'null'],
      ].sort(),
    );
  });

  it('reports one Error object once, however many handlers see it', async () => {
    t.start();
    const err = new Error('seen twice');
    captureException(err);
    captureException(err);
    await t.client.flush(2000);
    expect(t.server.items('errors')).toHaveLength(1);
  });

  it('follows AggregateError members and stops on cause cycles', async () => {
    t.start();
    const a = new Error('a');
    const b = new Error('b', { cause: a });
    (a as { cause?: unknown }).cause = b;
    captureException(new AggregateError([new RangeError('r1'), b], 'many'));
    const [e] = await t.server.waitFor('errors', 1);
    expect(e.exceptionClass).toBe('AggregateError');
    const causes = Object.keys(e.metadata)
      .filter((k) => k.endsWith('.message'))
      .map((k) => e.metadata[k]);
    expect(causes).toEqual(['r1', 'b', 'a']);
  });

  it('drops identical consecutive events of one request but keeps other requests’ events', async () => {
    t.start();
    const make = () => Object.assign(new Error('same'), { stack: 'Error: same\n    at f (/app/x.js:1:1)' });
    for (let i = 0; i < 3; i++) captureException(make());
    await t.client.flush(2000);
    expect(t.server.items('errors')).toHaveLength(1);
    expect(t.client.getStats().dropped.duplicate).toBe(2);
    // The same failure in two other requests is two more events, not duplicates.
    for (const id of ['a'.repeat(32), 'b'.repeat(32)]) {
      continueTrace({ traceparent: `00-${id}-${'c'.repeat(16)}-01` }, () => captureException(make()));
    }
    await t.client.flush(2000);
    expect(
      t.server
        .items('errors')
        .map((e) => e.traceId)
        .slice(1),
    ).toEqual(['a'.repeat(32), 'b'.repeat(32)]);
  });

  it('bounds the cause chain at 8 links', async () => {
    t.start();
    let err: Error = new Error('root cause');
    for (let i = 0; i < 20; i++) err = new Error(`level ${i}`, { cause: err });
    captureException(err);
    const [e] = await t.server.waitFor('errors', 1);
    const causeKeys = Object.keys(e.metadata).filter((k) => /^cause\.\d+\.message$/.test(k));
    expect(causeKeys).toHaveLength(8);
    expect(e.metadata['cause.0.message']).toBe('level 18');
  });
});

describe('filters', () => {
  it('beforeSend can modify or drop; a throwing beforeSend drops (fail-closed) unless fail-open', async () => {
    t.start({
      beforeSend: (e) => {
        if (e.exception.value === 'drop me') return null;
        if (e.exception.value === 'explode') throw new Error('hook bug');
        e.tags.touched = 'yes';
        return e;
      },
    });
    captureException(new Error('keep me'));
    captureException(new Error('drop me'));
    captureException(new Error('explode'));
    await t.client.flush(2000);
    const events = t.server.items('errors');
    expect(events.map((e) => e.message)).toEqual(['keep me']);
    expect(events[0].metadata.touched).toBe('yes');
    expect(t.client.getStats().dropped).toMatchObject({ beforeSend: 1, beforeSendError: 1 });
    await t.client.close();

    t.start({
      beforeSendFailOpen: true,
      beforeSend: () => {
        throw new Error('hook bug');
      },
    });
    captureException(new Error('still sent'));
    await t.client.flush(2000);
    expect(t.server.items('errors').map((e) => e.message)).toContain('still sent');
  });

  it('ignoreErrors matches class or message; sampleRate 0 sends nothing', async () => {
    t.start({ ignoreErrors: ['ECONNRESET', /^AbortError/] });
    captureException(new Error('socket hang up ECONNRESET'));
    const abort = new Error('aborted');
    abort.name = 'AbortError';
    captureException(abort);
    captureException(new Error('real'));
    await t.client.flush(2000);
    expect(t.server.items('errors').map((e) => e.message)).toEqual(['real']);
    await t.client.close();
    t.server.clear();
    t.start({ sampleRate: 0 });
    captureException(new Error('sampled out'));
    await t.client.flush(2000);
    expect(t.server.items('errors')).toHaveLength(0);
    expect(t.client.getStats().dropped.sampleRate).toBe(1);
  });

  it('captureMessage sends a Message event at the given level', async () => {
    t.start({ attachStacktrace: true });
    captureMessage('cache warmed', 'warning');
    const [e] = await t.server.waitFor('errors', 1);
    expect(e).toMatchObject({ exceptionClass: 'Message', message: 'cache warmed', level: 'warning' });
    expect(e.frames.length).toBeGreaterThan(0);
  });
});

describe('privacy', () => {
  const pii = {
    email: 'alice@example.com',
    card: '4111 1111 1111 1111',
    auth: 'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc',
  };

  it('scrubs every outbound payload by default', async () => {
    t.start();
    withScope(() => {
      setUser({ id: 'u-2', email: pii.email });
      setTag('contact', pii.email);
      setExtra('password', ['hunter', '2'].join(''));
      addBreadcrumb({ message: `paid with ${pii.card}`, data: { authorization: pii.auth } });
      captureException(new Error(`failed for ${pii.email}`));
    });
    const [e] = await t.server.waitFor('errors', 1);
    const text = JSON.stringify(e);
    expect(text).not.toContain(pii.email);
    expect(text).not.toContain('4111 1111 1111 1111');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('eyJhbGciOiJIUzI1NiJ9');
    expect(e.message).toBe('failed for [Filtered]');
    expect(e.user.id).toBe('u-2');
  });

  it("keeps the SDK's own span tags as set and still scrubs a user tag beside them", async () => {
    t.start();
    startSpan(
      { name: 'GET /users/:id', tags: { 'http.method': 'GET', 'http.route': '/users/:id', 'http.status_code': 200 } },
      () => undefined,
    );
    startSpan({ name: 'mixed', tags: { 'http.route': '/users/:id', customer: pii.email } }, () => undefined);
    const spans = await t.server.waitFor('spans', 2);
    const plain = spans.find((s: { operation: string }) => s.operation === 'GET /users/:id')!;
    const mixed = spans.find((s: { operation: string }) => s.operation === 'mixed')!;
    expect(plain.tags).toEqual({
      'http.method': 'GET',
      'http.route': '/users/:id',
      'http.status_code': '200',
      'span.kind': 'internal',
    });
    expect(mixed.tags.customer).toBe('[Filtered]');
    expect(mixed.tags['http.route']).toBe('/users/:id');
  });

  it('scrubs logs, spans and request records too', async () => {
    t.start();
    await startSpan({ name: 'checkout', tags: { customer: pii.email } }, async (span) => {
      span.setData('card', pii.card);
      logger.info(`receipt sent to ${pii.email}`, {
        password: 'hunter-two',
        authorization: pii.auth,
        card: pii.card,
      });
    });
    const [log] = await t.server.waitFor('logs', 1);
    const [span] = await t.server.waitFor('spans', 1);
    expect(log.message).toBe('receipt sent to [Filtered]');
    expect(log.metadata).toEqual({ password: '[Filtered]', authorization: '[Filtered]', card: '[Filtered]' });
    expect(span.tags.customer).toBe('[Filtered]');
    expect(span.data).not.toContain('4111');
    await t.client.close();
    t.server.clear();
    t.start({ sendDefaultPii: true });
    logger.info(`receipt sent to ${pii.email}`, { card: pii.card });
    const [verbatim] = await t.server.waitFor('logs', 1);
    expect(verbatim.message).toBe(`receipt sent to ${pii.email}`);
    expect(verbatim.metadata.card).toBe(pii.card);
  });

  it('passes data verbatim with sendDefaultPii: true', async () => {
    t.start({ sendDefaultPii: true });
    withScope(() => {
      setUser({ id: 'u-3', email: pii.email });
      setExtra('password', ['hunter', '2'].join(''));
      captureException(new Error(`failed for ${pii.email}`));
    });
    const [e] = await t.server.waitFor('errors', 1);
    expect(e.message).toBe(`failed for ${pii.email}`);
    expect(e.user.email).toBe(pii.email);
    expect(e.metadata.password).toBe('hunter2');
  });
});

describe('ordering', () => {
  it('events are handed to the transport in capture order even when only some need source context', async () => {
    const sent: string[] = [];
    const client = t.start({
      transport: () => ({
        send: (category, item) => {
          if (category === 'errors') sent.push((item as { exception: { value: string } }).exception.value);
          return true;
        },
        flush: async () => true,
        close: async () => true,
        getStats: () => ({ categories: {}, requests: 0, failedRequests: 0 }),
      }),
    });
    captureException(new Error('first, in-app frames'));
    captureException(
      Object.assign(new Error('second, no in-app frames'), {
        stack: 'Error\n    at x (node:internal/a:1:1)',
      }),
    );
    captureException('third, a string');
    await client.flush(2000);
    expect(sent).toEqual(['first, in-app frames', 'second, no in-app frames', 'third, a string']);
  });
});
