import { captureException, withScope } from '@sightline/core';
import { useIngest } from '@sightline/testkit';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { sightlineMixin, sightlineStream } from '../src/index.js';

// A hanging backend must not hold teardown long: the client gets 500 ms to close.
const t = useIngest({ release: '1.0.0' }, 500);

function throwTypeError(message: string): never {
  throw new TypeError(message);
}
function typeError(message: string): TypeError {
  try {
    throwTypeError(message);
  } catch (e) {
    return e as TypeError;
  }
}

describe('levels', () => {
  it('maps pino levels, custom levels and level labels, and sends events from error up', async () => {
    t.start();
    const stream = sightlineStream({
      logLevel: 'trace',
      breadcrumbLevel: false,
      customLevels: { audit: 35 },
    });
    const logger = pino({ level: 'trace', customLevels: { audit: 35 } }, stream);
    logger.trace('at trace');
    logger.debug('at debug');
    logger.info('at info');
    logger.audit('at audit');
    logger.warn('at warn');
    logger.error('at error');
    logger.fatal('at fatal');
    // A line from a logger with `formatters.level` (labels instead of numbers), written directly.
    stream.write(`${JSON.stringify({ level: 'warn', time: Date.now(), msg: 'labelled' })}\n`);
    await t.client.flush(3000);
    const logs = await t.server.waitFor('logs', 8);
    const events = await t.server.waitFor('errors', 2);
    expect(t.server.invalid).toEqual([]);
    expect(Object.fromEntries(logs.map((l) => [l.message, l.level]))).toEqual({
      'at trace': 'debug',
      'at debug': 'debug',
      'at info': 'info',
      'at audit': 'info',
      'at warn': 'warn',
      'at error': 'error',
      'at fatal': 'fatal',
      labelled: 'warn',
    });
    expect(events.map((e) => [e.exceptionClass, e.message, e.level]).sort()).toEqual([
      ['Message', 'at error', 'error'],
      ['Message', 'at fatal', 'fatal'],
    ]);
  });

  it('validates options once, at the factory', () => {
    expect(() => sightlineStream({ logLevel: 'loud' })).toThrow('Invalid `logLevel`');
    expect(() => sightlineStream({ maxMessageLength: 0 })).toThrow('Invalid `maxMessageLength`');
    expect(() => sightlineStream({ customLevels: { a: 'x' as unknown as number } })).toThrow(
      'Invalid `customLevels`',
    );
    expect(() =>
      sightlineStream({
        eventLevel: false,
        breadcrumbLevel: 45,
        logLevel: 'audit',
        customLevels: { audit: 35 },
      }),
    ).not.toThrow();
  });
});

describe('errors', () => {
  it('sends the real Error pino was given, in every shape', async () => {
    t.start();
    const logger = pino({}, sightlineStream());
    withScope(() => logger.error(typeError('bad input 1')));
    withScope(() => logger.error({ err: typeError('bad input 2'), orderId: 'o-2' }, 'while saving'));
    withScope(() => logger.error({ error: typeError('bad input 3') }, 'under another key'));
    const chained = new Error('outer', { cause: typeError('inner') });
    withScope(() => logger.fatal(chained));
    await t.client.flush(3000);
    const events = await t.server.waitFor('errors', 4);
    const logs = await t.server.waitFor('logs', 4);
    expect(t.server.invalid).toEqual([]);
    expect(events.map((e) => [e.exceptionClass, e.message, e.level]).sort()).toEqual([
      ['Error', 'outer', 'fatal'],
      ['TypeError', 'bad input 1', 'error'],
      ['TypeError', 'bad input 2', 'error'],
      ['TypeError', 'bad input 3', 'error'],
    ]);
    for (const e of events) {
      expect(e.stackTrace.join('\n')).toContain('stream.test.ts');
      expect(e.metadata.mechanism).toBe('pino');
    }
    const outer = events.find((e) => e.message === 'outer');
    expect(outer.metadata).toMatchObject({
      'cause.0.exceptionClass': 'TypeError',
      'cause.0.message': 'inner',
    });
    const saving = logs.find((l) => l.message === 'while saving');
    expect(saving.metadata).toMatchObject({
      orderId: 'o-2',
      'error.type': 'TypeError',
      'error.message': 'bad input 2',
    });
    expect(saving.metadata).not.toHaveProperty('err');
    expect(logs.find((l) => l.message === 'under another key').metadata).not.toHaveProperty('error');
    expect(logs.find((l) => l.message === 'outer').metadata).toMatchObject({
      'error.type': 'Error',
      'error.cause.0.type': 'TypeError',
      'error.cause.0.message': 'inner',
    });
  });

  it('revives a serialized err from a bare line, cause chain included', async () => {
    t.start();
    const stream = sightlineStream();
    // What pino's err serializer writes when the original object is not at hand.
    const line = pino.stdSerializers.err(new RangeError('outer', { cause: typeError('inner') }));
    withScope(() =>
      stream.write(`${JSON.stringify({ level: 50, time: Date.now(), msg: 'failed', err: line })}\n`),
    );
    await t.client.flush(3000);
    const [event] = await t.server.waitFor('errors', 1);
    expect(event).toMatchObject({
      exceptionClass: 'RangeError',
      message: 'outer',
      metadata: {
        'cause.0.exceptionClass': 'TypeError',
        'cause.0.message': 'inner',
        'log.message': 'failed',
      },
    });
    expect(event.metadata['cause.0.stackTrace']).toContain('throwTypeError');
  });

  it('sends a message event for an error record without an Error, and reports one Error once', async () => {
    t.start();
    const logger = pino({}, sightlineStream());
    withScope(() => logger.error({ tenant: 't-1' }, 'quota exceeded'));
    const err = new Error('already reported');
    withScope(() => {
      captureException(err);
      logger.error(err);
    });
    await t.client.flush(3000);
    const events = await t.server.waitFor('errors', 2);
    await t.server.waitFor('logs', 2);
    expect(events.map((e) => [e.exceptionClass, e.message]).sort()).toEqual([
      ['Error', 'already reported'],
      ['Message', 'quota exceeded'],
    ]);
  });
});

describe('records', () => {
  it('honours pino redaction and serializers, and sends structured fields as metadata', async () => {
    t.start();
    const logger = pino(
      { redact: ['user.card'], serializers: { user: (u) => ({ ...u, plan: 'pro' }) } },
      sightlineStream(),
    );
    logger
      .child({ module: 'billing' })
      .info({ user: { id: 'u-1', card: '4111' }, amount: 12.5, tags: ['a', 'b'] }, 'charged');
    await t.client.flush(3000);
    const [log] = await t.server.waitFor('logs', 1);
    expect(log.metadata).toEqual({
      module: 'billing',
      user: { id: 'u-1', card: '[Redacted]', plan: 'pro' },
      amount: 12.5,
      tags: ['a', 'b'],
    });
  });

  it('uses the ids on the line when the record arrives outside any request', async () => {
    t.start();
    const stream = sightlineStream();
    const ids = { trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), request_id: 'req-9' };
    stream.write(`${JSON.stringify({ level: 30, time: Date.now(), msg: 'from a job', ...ids })}\n`);
    stream.write(
      `${JSON.stringify({ level: 30, time: Date.now(), msg: 'bad ids', trace_id: 'nope', span_id: 7 })}\n`,
    );
    await t.client.flush(3000);
    const logs = await t.server.waitFor('logs', 2);
    expect(t.server.invalid).toEqual([]);
    expect(logs.find((l) => l.message === 'from a job')).toMatchObject({
      traceId: ids.trace_id,
      spanId: ids.span_id,
      requestId: 'req-9',
    });
    const bad = logs.find((l) => l.message === 'bad ids');
    expect(bad.traceId).toBeUndefined();
    expect(bad.metadata).toBeUndefined();
  });

  it('flushes Sightline on logger.flush(cb)', async () => {
    t.start({ flushInterval: 60_000 });
    const logger = pino({ mixin: sightlineMixin() }, sightlineStream());
    logger.info('before flush');
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
    expect(t.server.items('logs').map((l) => l.message)).toEqual(['before flush']);
  });
});

describe('hostile records', () => {
  it('never throws, whatever is logged, and truncates oversized records', async () => {
    t.start();
    const stream = sightlineStream({ maxMessageLength: 1000 });
    const logger = pino({}, stream);
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    const nullProto = Object.assign(Object.create(null), { k: 1 });
    const log = () => {
      logger.info({ cyclic }, 'cyclic');
      logger.info({ n: 10n } as unknown as object, 'bigint');
      logger.info({ buf: Buffer.alloc(64 * 1024, 1) }, 'buffer');
      logger.info('x'.repeat(1_000_000));
      logger.info({ blob: 'y'.repeat(2_000_000) }, 'huge field');
      logger.info({ sym: Symbol('v'), [Symbol('k')]: 1 }, 'symbols');
      logger.info(nullProto, 'null prototype');
      logger.info({ arr: Array.from({ length: 1000 }, (_, i) => i) }, 'wide');
      logger.error(
        { err: Object.assign(Object.create(null), { message: 'm', stack: 'no frames' }) },
        'weird error',
      );
    };
    // pino itself throws on BigInt (JSON.stringify); everything it does write must pass through.
    expect(() => {
      try {
        log();
      } catch (e) {
        if (!String(e).includes('BigInt')) throw e;
      }
    }).not.toThrow();
    logger.info({ n: '10' }, 'bigint');
    logger.info({ buf: Buffer.alloc(64 * 1024, 1) }, 'buffer');
    logger.info('x'.repeat(1_000_000));
    logger.info({ blob: 'y'.repeat(2_000_000) }, 'huge field');
    logger.info({ sym: Symbol('v') }, 'symbols');
    logger.info(nullProto, 'null prototype');
    logger.info({ arr: Array.from({ length: 1000 }, (_, i) => i) }, 'wide');
    // Straight into the stream: garbage and hostile lines.
    expect(() => stream.write('not json')).not.toThrow();
    expect(() => stream.write('null')).not.toThrow();
    expect(() => stream.write(undefined as unknown as string)).not.toThrow();
    expect(() =>
      stream.write(`${JSON.stringify({ level: 30, msg: { nested: true }, __proto__: { x: 1 } })}`),
    ).not.toThrow();
    await t.client.flush(3000);
    const logs = await t.server.waitFor(
      'logs',
      (items) => items.some((l) => l.message === 'wide') && items.length >= 9,
    );
    expect(t.server.invalid).toEqual([]);
    const meta = (m: string) => logs.find((l) => l.message === m)?.metadata;
    expect(meta('cyclic')).toEqual({ cyclic: { name: 'c', self: '[Circular]' } });
    expect(meta('buffer')).toEqual({ buf: { type: 'Buffer', data: expect.any(Array) } });
    expect(String(meta('huge field')?.blob).length).toBeLessThanOrEqual(8192);
    expect(meta('wide').arr).toHaveLength(200);
    expect(meta('null prototype')).toEqual({ k: 1 });
    expect(logs.find((l) => l.message.startsWith('xxx')).message.length).toBeLessThanOrEqual(1001);
    expect(stream.getStats().truncated).toBeGreaterThanOrEqual(3);
    expect(stream.getStats().failed).toBe(3);
  });
});

describe('a logging storm', () => {
  it('keeps memory bounded and the event loop turning when the backend hangs', async () => {
    t.server.respond('hang');
    const bound = 50;
    const client = t.start({ transportQueueSize: bound });
    const stream = sightlineStream({ breadcrumbLevel: false });
    const logger = pino({ mixin: sightlineMixin() }, stream);
    let ticks = 0;
    const tick = setInterval(() => ticks++, 1);
    let maxHeld = 0;
    const total = 100_000;
    type Cats = {
      categories: Record<
        string,
        { queued: number; inFlight: number; enqueued: number; droppedQueueFull: number }
      >;
    };
    try {
      for (let b = 0; b < total / 1000; b++) {
        for (let i = 0; i < 1000; i++) logger.info({ i }, 'storm');
        const s = (client.getStats().exporters.allstak as Cats).categories.logs!;
        maxHeld = Math.max(maxHeld, s.queued + s.inFlight);
        await new Promise((r) => setTimeout(r, 0));
      }
    } finally {
      clearInterval(tick);
    }
    const stats = client.getStats();
    const logs = (stats.exporters.allstak as Cats).categories.logs!;
    expect(maxHeld).toBeLessThanOrEqual(bound);
    expect(logs.enqueued + logs.droppedQueueFull).toBe(total);
    expect(logs.droppedQueueFull).toBeGreaterThanOrEqual(total - bound);
    expect(stats.captured.log).toBe(total);
    expect(stream.getStats().logs).toBe(total);
    expect(ticks).toBeGreaterThan(0);
  });
});
