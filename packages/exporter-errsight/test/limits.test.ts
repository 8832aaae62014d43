import { type Client, captureException } from '@sightline/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { ErrSightEvent } from '../src/index.js';
import { type ErrSightServer, startErrSightServer } from './helpers/errsight-server.js';
import { errsightStats, initErrSight } from './helpers/sdk.js';

/** Request limits and failure answers: 512 KB / 100 events, 413, 422, 429, other 4xx, queue bound. */

let server: ErrSightServer | undefined;
let client: Client | undefined;

afterEach(async () => {
  await client?.close(100);
  client = undefined;
  if (server) {
    expect(server.invalid).toEqual([]);
    await server.stop();
  }
  server = undefined;
});

/** beforeSend that adds `kb` kilobytes of data under `metadata[key]` to events whose message says so. */
const padTo = (key: 'extra' | 'blob') => (e: ErrSightEvent) => {
  const m = /pad(\d+)/.exec(e.message);
  if (!m) return e;
  const data = 'x'.repeat(Number(m[1]) * 1024);
  return { ...e, metadata: { ...e.metadata, [key]: key === 'extra' ? { data } : data } };
};

const messages = (s: ErrSightServer) => s.events.map((e) => e.message);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('512 KB and 100 events per request', () => {
  it('splits a batch over 512 KB into requests that fit, before sending', async () => {
    server = await startErrSightServer();
    client = initErrSight(server.url, { beforeSend: padTo('blob'), flushInterval: 60_000 });
    for (let i = 0; i < 5; i++) captureException(new Error(`e${i} pad150`));
    expect(await client.flush(5000)).toBe(true);
    expect(messages(server)).toEqual([0, 1, 2, 3, 4].map((i) => `Error: e${i} pad150`));
    expect(server.attempts.map((a) => a.status)).toEqual([202, 202]);
    expect(server.attempts.map((a) => a.events)).toEqual([3, 2]);
    for (const a of server.attempts) expect(a.bytes).toBeLessThanOrEqual(512 * 1024);
    expect(errsightStats(client).events).toMatchObject({ accepted: 5, splits: 0, truncated: 0 });
  });

  it('shortens a single event over 512 KB instead of dropping it, and counts it', async () => {
    server = await startErrSightServer();
    client = initErrSight(server.url, { beforeSend: padTo('extra') });
    captureException(new Error('huge pad700'));
    captureException(new Error('fine'));
    expect(await client.flush(5000)).toBe(true);
    expect(messages(server)).toEqual(['Error: huge pad700', 'Error: fine']);
    const huge = server.events[0] as { metadata: Record<string, unknown> };
    expect(huge.metadata).toMatchObject({
      truncated: true,
      exception_class: 'Error',
      exception_frames: expect.any(Array),
    });
    expect(huge.metadata.extra).toBeUndefined();
    expect((server.events[1] as { metadata: Record<string, unknown> }).metadata.truncated).toBeUndefined();
    expect(errsightStats(client).events).toMatchObject({ accepted: 2, truncated: 1, droppedTooLarge: 0 });
  });

  it('keeps the identity of an event whose custom data alone is over the limit', async () => {
    server = await startErrSightServer();
    client = initErrSight(server.url, { beforeSend: padTo('blob') });
    captureException(new Error('blob pad600'));
    expect(await client.flush(5000)).toBe(true);
    expect(server.events).toEqual([
      {
        level: 'error',
        message: 'Error: blob pad600',
        timestamp: expect.any(String),
        environment: 'staging',
        release: '2.4.0',
        metadata: { exception_class: 'Error', exception_frames: expect.any(Array), truncated: true },
      },
    ]);
  });
});

describe('413 and 422', () => {
  it('413: halves the batch until it fits; a single event still too large is dropped and counted', async () => {
    server = await startErrSightServer({ maxBytes: 24 * 1024 });
    client = initErrSight(server.url, { beforeSend: padTo('blob'), flushInterval: 60_000 });
    for (let i = 0; i < 4; i++) captureException(new Error(`e${i} pad9`));
    captureException(new Error('big pad30'));
    expect(await client.flush(5000)).toBe(true);
    expect(messages(server)).toEqual([
      'Error: e0 pad9',
      'Error: e1 pad9',
      'Error: e2 pad9',
      'Error: e3 pad9',
    ]);
    // [5] 413 → [3] 413 → [2] 202, [1] 202 → [2] 413 → [1] 202, [big] 413 dropped.
    expect(server.attempts.map((a) => [a.status, a.events === 0 ? undefined : a.events])).toEqual([
      [413, undefined],
      [413, undefined],
      [202, 2],
      [202, 1],
      [413, undefined],
      [202, 1],
      [413, undefined],
    ]);
    expect(errsightStats(client).events).toMatchObject({ accepted: 4, splits: 3, droppedTooLarge: 1 });
  });

  it('422 for a batch over the server limit: split and delivered', async () => {
    server = await startErrSightServer({ maxBatch: 3 });
    client = initErrSight(server.url, { flushInterval: 60_000 });
    for (let i = 0; i < 6; i++) captureException(new Error(`e${i}`));
    expect(await client.flush(5000)).toBe(true);
    expect(server.attempts.map((a) => [a.status, a.events])).toEqual([
      [422, 6],
      [202, 3],
      [202, 3],
    ]);
    expect(messages(server)).toHaveLength(6);
  });

  it('422 for a malformed event: the rest of the batch is delivered, that one dropped and counted', async () => {
    server = await startErrSightServer();
    client = initErrSight(server.url, {
      flushInterval: 60_000,
      beforeSend: (e) => (e.message.includes('bad') ? { ...e, message: '' } : e),
    });
    for (const m of ['e0', 'e1', 'bad', 'e3']) captureException(new Error(m));
    expect(await client.flush(5000)).toBe(true);
    expect(messages(server)).toEqual(['Error: e0', 'Error: e1', 'Error: e3']);
    expect(server.attempts.map((a) => a.status)).toEqual([422, 202, 422, 422, 202]);
    expect(errsightStats(client).events).toMatchObject({ accepted: 3, splits: 2, droppedInvalid: 1 });
  });
});

describe('429 and other answers', () => {
  it('429 holds delivery for Retry-After, then retries the held events once', async () => {
    server = await startErrSightServer();
    server.script({
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: 'Rate limit exceeded', code: 'RATE_LIMIT_EXCEEDED', retry_after: 1 },
    });
    client = initErrSight(server.url);
    captureException(new Error('held'));
    await server.waitFor(() => server?.events.length === 1, 5000);
    const [first, second] = server.attempts;
    expect([first?.status, second?.status]).toEqual([429, 202]);
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
    await sleep(50);
    expect(messages(server)).toEqual(['Error: held']);
  });

  it('a 429 after part of a split batch was accepted re-sends only the rest', async () => {
    server = await startErrSightServer();
    server.script({ status: 0 }, { status: 429, headers: { 'retry-after': '1' } });
    client = initErrSight(server.url, { beforeSend: padTo('blob'), flushInterval: 60_000 });
    for (let i = 0; i < 3; i++) captureException(new Error(`e${i} pad200`));
    // The held events go out when the hold ends: flush is waiting for them.
    expect(await client.flush(5000)).toBe(true);
    expect(messages(server)).toEqual(['Error: e0 pad200', 'Error: e1 pad200', 'Error: e2 pad200']);
    expect(server.attempts.map((a) => [a.status, a.events])).toEqual([
      [202, 2],
      [429, 0],
      [202, 1],
    ]);
  });

  it('caps Retry-After at 10 minutes', async () => {
    server = await startErrSightServer();
    server.script({ status: 429, headers: { 'retry-after': '86400' } });
    client = initErrSight(server.url);
    captureException(new Error('held long'));
    await server.waitFor(() => server?.attempts.length === 1);
    await sleep(20);
    const until = errsightStats(client).transport?.categories.events?.rateLimitedUntil ?? 0;
    expect(until - Date.now()).toBeGreaterThan(590_000);
    expect(until - Date.now()).toBeLessThanOrEqual(600_000);
  });

  it('drops a batch on other 4xx (no retry) and counts it; retries 5xx', async () => {
    server = await startErrSightServer();
    server.script({ status: 401, body: { error: 'Invalid or missing API key' } });
    client = initErrSight(server.url, { flushInterval: 60_000 });
    captureException(new Error('a'));
    captureException(new Error('b'));
    expect(await client.flush(3000)).toBe(true);
    await sleep(50);
    expect(server.attempts.map((a) => a.status)).toEqual([401]);
    expect(errsightStats(client).events.droppedRejected).toBe(2);
    expect(errsightStats(client).transport?.categories.events?.droppedPermanent).toBe(2);

    server.script({ status: 503 });
    captureException(new Error('c'));
    expect(await client.flush(3000)).toBe(true);
    expect(server.attempts.map((a) => a.status)).toEqual([401, 503, 202]);
    expect(messages(server)).toEqual(['Error: c']);
  });

  it('bounded queue: when full (held by a 429), new events are dropped and counted', async () => {
    server = await startErrSightServer();
    server.script({ status: 429, headers: { 'retry-after': '60' } });
    client = initErrSight(server.url, { maxQueueSize: 5, batchSize: 5 });
    for (let i = 0; i < 5; i++) captureException(new Error(`q${i}`));
    await server.waitFor(() => server?.attempts.length === 1);
    await sleep(20);
    for (let i = 5; i < 12; i++) captureException(new Error(`q${i}`));
    await sleep(20);
    const cat = errsightStats(client).transport?.categories.events;
    expect(cat).toMatchObject({ enqueued: 5, droppedQueueFull: 7, queued: 5 });
    expect(client.getStats().dropped.exporterRejected).toBe(7);
  });
});
