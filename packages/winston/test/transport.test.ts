import { captureException, withScope } from '@sightline/core';
import { useIngest } from '@sightline/testkit';
import { describe, expect, it } from 'vitest';
import winston from 'winston';
import { SightlineTransport, sightlineFormat } from '../src/index.js';

// A hanging backend must not hold teardown long: the client gets 500 ms to close.
const t = useIngest({ release: '1.0.0' }, 500);
const identity = winston.format((info) => info)();

function throwTypeError(message: string): never {
  throw new TypeError(message);
}
function typeError(message = 'bad input'): TypeError {
  try {
    throwTypeError(message);
  } catch (e) {
    return e as TypeError;
  }
}

describe('level sets', () => {
  it('maps every syslog level and sends events from error up', async () => {
    t.start();
    const logger = winston.createLogger({
      levels: winston.config.syslog.levels,
      level: 'debug',
      format: identity,
      transports: [new SightlineTransport({ logLevel: 'debug', breadcrumbLevel: false })],
    });
    for (const level of Object.keys(winston.config.syslog.levels)) logger.log(level, `at ${level}`);
    await t.client.flush(3000);
    const logs = await t.server.waitFor('logs', 8);
    const events = await t.server.waitFor('errors', 4);
    expect(t.server.invalid).toEqual([]);
    expect(Object.fromEntries(logs.map((l) => [l.message, l.level]))).toEqual({
      'at emerg': 'fatal',
      'at alert': 'fatal',
      'at crit': 'fatal',
      'at error': 'error',
      'at warning': 'warn',
      'at notice': 'info',
      'at info': 'info',
      'at debug': 'debug',
    });
    expect(events.map((e) => [e.exceptionClass, e.message, e.level]).sort()).toEqual([
      ['Message', 'at alert', 'fatal'],
      ['Message', 'at crit', 'fatal'],
      ['Message', 'at emerg', 'fatal'],
      ['Message', 'at error', 'error'],
    ]);
  });

  it('handles npm levels below the logger level when the transport asks for them, and custom sets', async () => {
    t.start();
    const npm = winston.createLogger({
      level: 'warn',
      format: identity,
      transports: [new SightlineTransport({ logLevel: 'verbose', eventLevel: false })],
    });
    for (const level of Object.keys(winston.config.npm.levels)) npm.log(level, `npm ${level}`);
    const custom = winston.createLogger({
      levels: { critical2: 0, important: 1, normal: 2, chatter: 3 },
      level: 'chatter',
      format: identity,
      transports: [new SightlineTransport({ logLevel: 'debug', eventLevel: 'critical2' })],
    });
    for (const level of ['critical2', 'important', 'normal', 'chatter']) custom.log(level, `custom ${level}`);
    await t.client.flush(3000);
    const logs = await t.server.waitFor('logs', 9);
    const events = await t.server.waitFor('errors', 1);
    expect(Object.fromEntries(logs.map((l) => [l.message, l.level]))).toEqual({
      'npm error': 'error',
      'npm warn': 'warn',
      'npm info': 'info',
      'npm http': 'info',
      'npm verbose': 'debug',
      'custom critical2': 'error',
      'custom important': 'warn',
      'custom normal': 'info',
      'custom chatter': 'debug',
    });
    expect(events.map((e) => e.message)).toEqual(['custom critical2']);
  });
});

describe('errors', () => {
  it('finds the Error in every shape winston gives it', async () => {
    t.start();
    const logger = winston.createLogger({ format: identity, transports: [new SightlineTransport()] });
    const withErrorsFormat = winston.createLogger({
      format: winston.format.combine(winston.format.errors({ stack: true }), identity),
      transports: [new SightlineTransport()],
    });
    withScope(() => logger.error(typeError('bad input 1'))); // the record is the Error
    withScope(() => logger.error('while saving', typeError('bad input 2'))); // the Error is in the splat
    withScope(() => logger.error('while loading', { error: typeError('bad input 3') })); // an error field
    withScope(() => withErrorsFormat.error(typeError('bad input 4'))); // only a stack string is left
    await t.client.flush(3000);
    const events = await t.server.waitFor('errors', 4);
    const logs = await t.server.waitFor('logs', 4);
    expect(t.server.invalid).toEqual([]);
    expect(events.map((e) => e.message).sort()).toEqual([
      'bad input 1',
      'bad input 2',
      'bad input 3',
      'bad input 4',
    ]);
    for (const e of events) {
      expect(e.exceptionClass).toBe('TypeError');
      expect(e.stackTrace.join('\n')).toContain('throwTypeError');
      expect(e.metadata.mechanism).toBe('winston');
    }
    for (const l of logs) {
      expect(l.metadata['error.type']).toBe('TypeError');
      expect(l.metadata['error.message']).toMatch(/^bad input \d$/);
      expect(l.metadata['error.stackTrace']).toContain('throwTypeError');
    }
    expect(logs.map((l) => l.message).sort()).toEqual([
      'bad input 1',
      'bad input 4',
      'while loading',
      'while saving bad input 2',
    ]);
  });

  it('sends a message event for an error record without an Error, and reports one Error once', async () => {
    t.start();
    const logger = winston.createLogger({ format: identity, transports: [new SightlineTransport()] });
    withScope(() => logger.error('quota exceeded', { tenant: 't-1' }));
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

describe('breadcrumbs', () => {
  it('come only from records logged inside a request or scope, never from the process scope', async () => {
    t.start();
    const logger = winston.createLogger({ format: identity, transports: [new SightlineTransport()] });
    logger.info('outside any scope'); // would otherwise follow every later request's errors
    withScope(() => {
      logger.info('inside', { step: 1 });
      logger.error('failed here');
    });
    await t.client.flush(3000);
    const [event] = await t.server.waitFor('errors', 1);
    await t.server.waitFor('logs', 3);
    expect(event.breadcrumbs).toEqual([
      expect.objectContaining({
        message: 'inside',
        level: 'info',
        type: 'log',
        category: 'winston',
        data: { step: 1 },
      }),
    ]);
  });
});

describe('hostile records', () => {
  it('never throws, whatever is logged, and truncates oversized messages', async () => {
    t.start();
    const transport = new SightlineTransport({ maxMessageLength: 1000 });
    const logger = winston.createLogger({ format: sightlineFormat(), transports: [transport] });
    const cyclic: Record<string, unknown> = { name: 'c' };
    cyclic.self = cyclic;
    const nullProto = Object.create(null);
    nullProto.message = 'null prototype';
    nullProto.k = 1;
    const hostile = {
      get boom() {
        throw new Error('getter');
      },
    };
    const log = () => {
      logger.info('cyclic', { cyclic });
      logger.info('bigint', { n: 10n, nested: { big: 2n ** 70n } });
      logger.info('buffer', { buf: Buffer.alloc(256 * 1024, 1) });
      logger.info('x'.repeat(1_000_000));
      logger.info('huge field', { blob: 'y'.repeat(2_000_000) });
      logger.info('symbols', { [Symbol('k')]: 1, sym: Symbol('v') });
      logger.info(nullProto);
      logger.info('getter', { nested: hostile });
      logger.info(Symbol('as message') as unknown as string);
      logger.info({ message: { nested: cyclic } } as unknown as string);
      logger.error('weird error', {
        err: Object.assign(Object.create(null), { message: 'm', stack: 'no frames' }),
      });
    };
    expect(log).not.toThrow();
    // Straight into the transport, past winston: a record whose every read throws.
    const trap = new Proxy(
      {},
      {
        get: () => {
          throw new Error('trap');
        },
        ownKeys: () => {
          throw new Error('trap');
        },
      },
    );
    expect(() => transport.log(trap, () => {})).not.toThrow();
    await t.client.flush(3000);
    const logs = await t.server.waitFor('logs', 11);
    expect(t.server.invalid).toEqual([]);
    const long = logs.find((l) => l.message.startsWith('xxx'));
    expect(long.message.length).toBeLessThanOrEqual(1001);
    expect(JSON.stringify(logs).length).toBeLessThan(3_000_000);
    expect(transport.getStats().truncated).toBe(2);
    const byMessage = (m: string) => logs.find((l) => l.message === m)?.metadata;
    expect(byMessage('cyclic')).toEqual({ cyclic: { name: 'c', self: '[Circular]' } });
    expect(byMessage('bigint')).toEqual({ n: '10', nested: { big: String(2n ** 70n) } });
    expect(byMessage('buffer')).toEqual({ buf: '[Buffer 262144 bytes]' });
    expect(byMessage('symbols')).toEqual({ sym: 'Symbol(v)' });
    expect(byMessage('null prototype')).toEqual({ k: 1 });
    expect(byMessage('getter')).toEqual({ nested: { boom: '[Thrown]' } });
    expect(String(byMessage('huge field')?.blob).length).toBeLessThanOrEqual(8192);
    expect(logs.some((l) => l.message === 'Symbol(as message)')).toBe(true);
    expect(transport.getStats().failed).toBe(1);
  });
});

describe('a logging storm', () => {
  it('keeps memory bounded and the event loop turning when the backend hangs', async () => {
    t.server.respond('hang');
    const bound = 50;
    const client = t.start({ transportQueueSize: bound });
    const transport = new SightlineTransport({ breadcrumbLevel: false });
    const logger = winston.createLogger({ format: identity, transports: [transport] });
    let ticks = 0;
    const tick = setInterval(() => ticks++, 1);
    let maxHeld = 0;
    const total = 100_000;
    try {
      for (let b = 0; b < total / 1000; b++) {
        for (let i = 0; i < 1000; i++) logger.info('storm', { i });
        const logsStats = (
          client.getStats().exporters.allstak as {
            categories: Record<string, { queued: number; inFlight: number }>;
          }
        ).categories.logs!;
        maxHeld = Math.max(maxHeld, logsStats.queued + logsStats.inFlight);
        await new Promise((r) => setTimeout(r, 0));
      }
    } finally {
      clearInterval(tick);
    }
    const stats = client.getStats();
    const logs = (
      stats.exporters.allstak as {
        categories: Record<string, { droppedQueueFull: number; enqueued: number }>;
      }
    ).categories.logs!;
    expect(maxHeld).toBeLessThanOrEqual(bound);
    expect(logs.enqueued + logs.droppedQueueFull).toBe(total);
    expect(logs.droppedQueueFull).toBeGreaterThanOrEqual(total - bound);
    expect(stats.captured.log).toBe(total);
    expect(transport.getStats().logs).toBe(total);
    expect(ticks).toBeGreaterThan(0);
  });
});
