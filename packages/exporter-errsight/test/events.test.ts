import {
  type Client,
  addBreadcrumb,
  captureException,
  captureMessage,
  setTag,
  setUser,
  withScope,
} from '@sightline/core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type ErrSightServer, WRITE_KEY, startErrSightServer } from './helpers/errsight-server.js';
import { errsightStats, initErrSight } from './helpers/sdk.js';

/** Event shape (WIRE-FORMATS §2.3/2.4), levels, beforeSend and batching, against a local ingest. */

let server: ErrSightServer;
let client: Client | undefined;

beforeAll(async () => {
  server = await startErrSightServer();
});

afterEach(async () => {
  await client?.close(2000);
  client = undefined;
  expect(server.invalid).toEqual([]);
  server.events.length = 0;
  server.attempts.length = 0;
});

afterAll(async () => {
  await server.stop();
});

function failPayment(): Error {
  return new Error('payment failed', { cause: new TypeError('card declined') });
}

describe('event shape', () => {
  it('maps an exception with cause, user, breadcrumbs, tags and fingerprint', async () => {
    client = initErrSight(server.url, {}, { sendDefaultPii: true });
    const err = failPayment();
    withScope(() => {
      setUser({ id: 'u-1', email: 'alice@example.com', username: 'alice', ip: '10.0.0.1' });
      setTag('region', 'eu');
      addBreadcrumb({ category: 'auth', message: 'login', level: 'warn', data: { method: 'password' } });
      captureException(err, {
        fingerprint: ['payments', 'declined'],
        extra: { orderId: 7 },
        mechanism: 'middleware',
      });
    });
    expect(await client.flush(3000)).toBe(true);
    expect(server.events).toHaveLength(1);
    const e = server.events[0] as Record<string, any>;
    expect(server.attempts[0]?.headers['x-api-key']).toBe(WRITE_KEY);
    expect(server.attempts[0]?.headers['content-type']).toBe('application/json');
    expect(e).toEqual({
      level: 'error',
      message: 'Error: payment failed',
      backtrace: expect.stringMatching(
        /^Error: payment failed\n {4}at failPayment \(.*events\.test\.ts:\d+:\d+\)\n/,
      ),
      environment: 'staging',
      release: '2.4.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      fingerprint: ['payments', 'declined'],
      user: { id: 'u-1', email: 'alice@example.com', username: 'alice', ip_address: '10.0.0.1' },
      breadcrumbs: [
        {
          timestamp: expect.stringMatching(/Z$/),
          category: 'auth',
          level: 'warning',
          message: 'login',
          data: { method: 'password' },
        },
      ],
      tags: { region: 'eu' },
      metadata: {
        exception_class: 'Error',
        exception_frames: expect.any(Array),
        exception_causes: [{ class: 'TypeError', message: 'card declined', backtrace: expect.any(Array) }],
        handled: true,
        mechanism: 'middleware',
        service: 'billing',
        server_name: expect.any(String),
        sdk: expect.stringMatching(/^sightline-node\//),
        extra: { orderId: 7 },
      },
    });
    // Oldest call first; the innermost frame (where the error was made) is last, with source context.
    const frames = e.metadata.exception_frames as Record<string, unknown>[];
    const last = frames[frames.length - 1] as Record<string, any>;
    expect(last).toMatchObject({ function: 'failPayment', in_app: true, lineno: expect.any(Number) });
    expect(last.filename).toMatch(/events\.test\.ts$/);
    expect(last.abs_path).toMatch(/^\/.*events\.test\.ts$/);
    expect(last.context_line).toContain("new Error('payment failed'");
    expect(last.pre_context).toHaveLength(5);
    expect(last.post_context).toHaveLength(5);
    for (const line of [...last.pre_context, ...last.post_context])
      expect(line.length).toBeLessThanOrEqual(256);
    const library = frames.find((f) => f.in_app === false);
    if (library) expect(library.context_line).toBeUndefined();
    expect(e.metadata.exception_causes[0].backtrace[0]).toMatch(/^ {4}at failPayment /);
    expect(e.metadata.exception_causes[0].backtrace.length).toBeLessThanOrEqual(20);
  });

  it('sends warning messages as `warning` (never `warn`), without exception data', async () => {
    client = initErrSight(server.url);
    captureMessage('disk almost full', 'warning');
    expect(await client.flush(3000)).toBe(true);
    expect(server.events).toEqual([
      expect.objectContaining({
        level: 'warning',
        message: 'disk almost full',
        metadata: expect.not.objectContaining({ exception_class: expect.anything() }),
      }),
    ]);
    expect(server.events[0]).not.toHaveProperty('backtrace');
  });
});

describe('levels and beforeSend', () => {
  it('drops events below minLevel (default warning) before beforeSend sees them', async () => {
    const seen: string[] = [];
    client = initErrSight(server.url, {
      beforeSend: (e) => {
        seen.push(e.message);
        return e.message.includes('secret') ? null : { ...e, tags: { ...e.tags, reviewed: 'yes' } };
      },
    });
    captureMessage('just info', 'info');
    captureMessage('debugging', 'debug');
    captureMessage('a warning', 'warning');
    captureMessage('contains secret', 'error');
    captureException(new Error('boom'));
    expect(await client.flush(3000)).toBe(true);
    expect(seen).toEqual(['a warning', 'contains secret', 'Error: boom']);
    expect(server.events.map((e) => [e.message, (e.tags as Record<string, string>).reviewed])).toEqual([
      ['a warning', 'yes'],
      ['Error: boom', 'yes'],
    ]);
    expect(errsightStats(client)).toMatchObject({
      droppedBelowMinLevel: 2,
      droppedBeforeSend: 1,
      beforeSendErrors: 0,
    });
  });

  it('minLevel error; a throwing beforeSend drops the event (fail-closed) and is counted', async () => {
    client = initErrSight(server.url, {
      minLevel: 'error',
      beforeSend: () => {
        throw new Error('hook bug');
      },
    });
    captureMessage('a warning', 'warning');
    captureException(new Error('boom'));
    expect(await client.flush(3000)).toBe(true);
    expect(server.events).toEqual([]);
    expect(errsightStats(client)).toMatchObject({
      droppedBelowMinLevel: 1,
      droppedBeforeSend: 1,
      beforeSendErrors: 1,
    });
  });
});

describe('batching', () => {
  it('sends at most batchSize events per request', async () => {
    client = initErrSight(server.url, { batchSize: 10, flushInterval: 60_000 });
    for (let i = 0; i < 25; i++) captureException(new Error(`e${i}`));
    await server.waitFor(() => server.events.length >= 20);
    expect(server.attempts.map((a) => a.events)).toEqual([10, 10]);
    expect(await client.flush(3000)).toBe(true);
    expect(server.attempts.map((a) => a.events)).toEqual([10, 10, 5]);
    expect(server.events.map((e) => e.message)).toEqual(Array.from({ length: 25 }, (_, i) => `Error: e${i}`));
  });

  it('sends a partial batch after flushInterval', async () => {
    client = initErrSight(server.url, { batchSize: 10, flushInterval: 150 });
    const start = Date.now();
    captureException(new Error('lonely'));
    await server.waitFor(() => server.events.length === 1);
    expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    expect(server.attempts).toHaveLength(1);
  });

  it('defaults: batch size 10, flush interval 2 s, queue 1000', async () => {
    client = initErrSight(server.url, { flushInterval: undefined, transport: undefined });
    for (let i = 0; i < 9; i++) captureException(new Error(`d${i}`));
    await new Promise((r) => setTimeout(r, 300));
    expect(server.attempts).toHaveLength(0);
    captureException(new Error('d9'));
    await server.waitFor(() => server.events.length === 10);
    expect(server.attempts.map((a) => a.events)).toEqual([10]);
  });
});
