import { afterEach, describe, expect, it } from 'vitest';
import { type IngestServer, TEST_API_KEY, startIngestServer } from '../src/index.js';
import { post, span } from './http-client.js';

let server: IngestServer;
afterEach(async () => {
  await server?.stop();
});

const start = async (options?: Parameters<typeof startIngestServer>[0]) => {
  server = await startIngestServer(options);
  return server;
};
const spansUrl = () => `${server.url}/ingest/v1/spans`;

describe('accepting and validating', () => {
  it('listens on 127.0.0.1 and accepts a valid span batch, plain and gzipped', async () => {
    await start({ apiKey: TEST_API_KEY });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(server.port).toBeGreaterThan(0);

    const plain = await post(spansUrl(), { spans: [span(1)] }, { key: TEST_API_KEY });
    expect(plain).toMatchObject({ status: 200, body: '{}' });
    // Big enough that gzip makes a visible difference.
    const many = Array.from({ length: 40 }, (_, i) => span(i));
    const zipped = await post(spansUrl(), { spans: many }, { key: TEST_API_KEY, gzip: true });
    expect(zipped.status).toBe(200);

    expect(server.requests).toHaveLength(2);
    const [r1, r2] = server.requests;
    expect(r1).toMatchObject({
      method: 'POST',
      path: '/ingest/v1/spans',
      kind: 'spans',
      gzip: false,
      status: 200,
    });
    expect(r2!.gzip).toBe(true);
    expect(r2!.rawBytes).toBeLessThan(JSON.stringify({ spans: many }).length);
    expect(r2!.headers['content-encoding']).toBe('gzip');
    expect(r2!.body).toEqual({ spans: many });
    expect(server.items('spans')).toEqual([span(1), ...many]);
    expect(server.invalid).toEqual([]);
  });

  it('unwraps every batched kind and keeps single-object kinds whole', async () => {
    await start();
    const req = {
      direction: 'inbound',
      method: 'GET',
      host: 'api.test',
      path: '/users/:id',
      statusCode: 200,
      durationMs: 3,
      timestamp: '2024-01-01T00:00:00.000Z',
    };
    const q = {
      normalizedQuery: 'SELECT * FROM t WHERE id = ?',
      queryHash: 'abc123',
      queryType: 'SELECT',
      durationMs: 1,
      timestampMillis: 1,
      status: 'success',
    };
    const log = { level: 'info', message: 'hi' };
    await post(`${server.url}/ingest/v1/http-requests`, { requests: [req, req] });
    await post(`${server.url}/ingest/v1/db`, { queries: [q] });
    await post(`${server.url}/ingest/v1/logs`, log);
    await post(`${server.url}/ingest/v1/sessions/end`, { sessionId: 's1', durationMs: 10, status: 'ok' });
    expect(server.items('http-requests')).toEqual([req, req]);
    expect(server.items('db')).toEqual([q]);
    expect(server.items('logs')).toEqual([log]);
    expect(server.items('sessions/end')).toEqual([{ sessionId: 's1', durationMs: 10, status: 'ok' }]);
    expect(server.items('errors')).toEqual([]);
  });

  it('rejects an invalid body with 400 and a message naming the field', async () => {
    await start();
    const bad = { spans: [span(1), { ...span(2), traceId: 'XYZ' }] };
    const res = await post(spansUrl(), bad);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toBe('spans[1].traceId: must be 32 lowercase hex, not all zeros');
    expect(server.invalid).toEqual([
      {
        path: '/ingest/v1/spans',
        error: 'spans[1].traceId: must be 32 lowercase hex, not all zeros',
        body: bad,
      },
    ]);
    expect(server.requests).toHaveLength(0);
    expect(server.attempts).toHaveLength(1);
    expect(server.attempts[0]!.status).toBe(400);
  });

  it('rejects bodies that are not JSON, or not gzip when they say so', async () => {
    await start();
    const notJson = await post(spansUrl(), undefined, { raw: '{"spans": [' });
    expect(notJson.status).toBe(400);
    expect(notJson.body).toContain('invalid JSON');
    expect(server.invalid[0]!.body).toBe('{"spans": [');
    expect(server.requests).toHaveLength(0);
  });

  it('answers 401 without the matching key, never echoing a key', async () => {
    await start({ apiKey: TEST_API_KEY });
    const none = await post(spansUrl(), { spans: [span()] });
    const wrong = await post(spansUrl(), { spans: [span()] }, { key: 'sk_wrong_key_value' });
    expect(none.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(wrong.body).not.toContain('sk_wrong_key_value');
    expect(none.body).not.toContain(TEST_API_KEY);
    expect(server.attempts.map((a) => a.status)).toEqual([401, 401]);
    expect(server.requests).toHaveLength(0);
  });

  it('answers 404 for unknown paths, 405 for other methods and 413 past maxBodyBytes', async () => {
    await start({ maxBodyBytes: 2048 });
    expect((await post(`${server.url}/ingest/v1/nope`, {})).status).toBe(404);
    expect((await post(`${server.url}/ingest/v2/spans`, { spans: [span()] })).status).toBe(404);
    expect((await post(spansUrl(), undefined, { method: 'GET' })).status).toBe(405);
    const big = Array.from({ length: 50 }, (_, i) => span(i));
    expect((await post(spansUrl(), { spans: big })).status).toBe(413);
    // A small gzip body that inflates past the limit is caught too.
    expect((await post(spansUrl(), { spans: big }, { gzip: true })).status).toBe(413);
    expect(server.attempts).toHaveLength(5);
    expect(server.requests).toHaveLength(0);
  });

  it('clear() forgets everything received', async () => {
    await start();
    await post(spansUrl(), { spans: [span()] });
    await post(spansUrl(), { spans: [] });
    server.clear();
    expect([server.requests.length, server.attempts.length, server.invalid.length]).toEqual([0, 0, 0]);
    expect(server.items('spans')).toEqual([]);
  });
});

describe('behaviours', () => {
  it('answers scripted statuses with headers; kind-specific beats global', async () => {
    await start();
    server.respond({ status: 500 });
    server.respond({ status: 429, headers: { 'retry-after': '1' } }, 'spans');
    const spans = await post(spansUrl(), { spans: [span()] });
    expect(spans.status).toBe(429);
    expect(spans.headers['retry-after']).toBe('1');
    expect((await post(`${server.url}/ingest/v1/logs`, { level: 'info', message: 'x' })).status).toBe(500);
    expect(server.requests).toHaveLength(0);
    expect(server.attempts.map((a) => a.status)).toEqual([429, 500]);
    server.respond('ok');
    server.respond('ok', 'spans');
    expect((await post(spansUrl(), { spans: [span()] })).status).toBe(200);
  });

  it('a scripted 2xx still records valid bodies as accepted', async () => {
    await start();
    server.respond({ status: 202, body: 'accepted' });
    const res = await post(spansUrl(), { spans: [span()] });
    expect(res).toMatchObject({ status: 202, body: 'accepted' });
    expect(server.items('spans')).toHaveLength(1);
  });

  it('respondNext answers n requests, then falls back; a kind-specific queue goes first', async () => {
    await start();
    server.respondNext(2, { status: 503 });
    server.respondNext(1, { status: 408 }, 'spans');
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(spansUrl(), { spans: [span(i)] })).status);
    expect(statuses).toEqual([408, 503, 503, 200]);
    expect(server.items('spans')).toEqual([span(3)]);
  });

  it('a function behaviour sees each request', async () => {
    await start();
    server.respond((req) => ((req.body as { spans: unknown[] }).spans.length > 1 ? { status: 413 } : 'ok'));
    expect((await post(spansUrl(), { spans: [span(1), span(2)] })).status).toBe(413);
    expect((await post(spansUrl(), { spans: [span(1)] })).status).toBe(200);
  });

  it('delays answers, then applies `then`', async () => {
    await start();
    server.respondNext(1, { delayMs: 150 });
    // biome-ignore lint/suspicious/noThenProperty: the Behaviour API names it `then`; never a function, so never a thenable.
    server.respondNext(1, { delayMs: 50, then: { status: 500 } });
    const slow = await post(spansUrl(), { spans: [span()] });
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(140);
    const slowFail = await post(spansUrl(), { spans: [span()] });
    expect(slowFail.status).toBe(500);
    expect(slowFail.ms).toBeGreaterThanOrEqual(45);
    expect(server.requests).toHaveLength(1);
  });

  it('reset destroys the socket without an answer', async () => {
    await start();
    server.respond('reset');
    await expect(post(spansUrl(), { spans: [span()] })).rejects.toMatchObject({
      code: expect.stringMatching(/ECONNRESET|EPIPE/),
    });
    expect(server.attempts).toHaveLength(1);
    expect(server.attempts[0]!.status).toBeUndefined();
    expect(server.requests).toHaveLength(0);
  });

  it('garbage writes non-HTTP bytes, which the client cannot parse', async () => {
    await start();
    server.respond('garbage');
    await expect(post(spansUrl(), { spans: [span()] })).rejects.toMatchObject({
      code: expect.stringMatching(/^HPE_/),
    });
    expect(server.requests).toHaveLength(0);
  });

  it('hang never answers until stop() releases it', async () => {
    await start();
    server.respond('hang');
    const pending = post(spansUrl(), { spans: [span()] });
    let settled = false;
    pending.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitUntil(() => server.attempts.length === 1);
    await new Promise((r) => setTimeout(r, 100));
    expect(settled).toBe(false);
    const t0 = Date.now();
    await server.stop();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(Date.now() - t0).toBeLessThan(1000);
  });
});

describe('down/up and stop', () => {
  it('down() refuses connections and drops hanging ones; up() listens on the same port', async () => {
    await start();
    const port = server.port;
    server.respond('hang');
    const hung = post(spansUrl(), { spans: [span()] });
    await waitUntil(() => server.attempts.length === 1);
    await server.down();
    await expect(hung).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(post(spansUrl(), { spans: [span()] })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    server.respond('ok');
    await server.up();
    expect(server.port).toBe(port);
    expect((await post(`http://127.0.0.1:${port}/ingest/v1/spans`, { spans: [span()] })).status).toBe(200);
    await server.up(); // idempotent while listening
  });

  it('stop() is idempotent and up() after stop() fails', async () => {
    await start();
    await server.stop();
    await server.stop();
    await expect(server.up()).rejects.toThrow(/stopped/);
  });
});

describe('waitFor', () => {
  it('resolves with the items once the count is reached, or the predicate holds', async () => {
    await start();
    const byCount = server.waitFor('spans', 3);
    const byPredicate = server.waitFor<{ spanId: string }>('spans', (items) =>
      items.some((s) => s.spanId.endsWith('7')),
    );
    // A predicate that throws on an empty list means "not yet", not a failure.
    const throwing = server.waitFor<{ operation: string }>(
      'spans',
      (items) => items[0]!.operation === 'GET /users/:id',
    );
    await post(spansUrl(), { spans: [span(1), span(2)] });
    await post(spansUrl(), { spans: [span(7)] });
    expect(await byCount).toHaveLength(3);
    expect((await byPredicate).map((s) => s.spanId.slice(-1))).toEqual(['1', '2', '7']);
    expect(await throwing).toHaveLength(2); // resolved by the first batch
    // Already satisfied: resolves at once.
    expect(await server.waitFor('spans', 1, 10)).toHaveLength(3);
  });

  it('rejects after the timeout with a message listing what did arrive', async () => {
    await start({ apiKey: TEST_API_KEY });
    await post(spansUrl(), { spans: [span(1)] }, { key: TEST_API_KEY });
    await post(`${server.url}/ingest/v1/logs`, { level: 'nope', message: 'x' }, { key: TEST_API_KEY });
    const t0 = Date.now();
    const err = (await server.waitFor('spans', 2, 150).catch((e: Error) => e)) as Error;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain("waitFor('spans', 2): timed out after 150ms");
    expect(err.message).toContain("got 1 'spans' item(s)");
    expect(err.message).toContain('spans×1');
    expect(err.message).toContain('logs→400');
    expect(err.message).toContain('level: must be one of debug|info|warn|error|fatal');
    expect(err.message).toContain(span(1).spanId);
    expect(err.message).not.toContain(TEST_API_KEY);
  });

  it('rejects pending waits when the server stops', async () => {
    await start();
    const w = server.waitFor('logs', 1, 5000);
    await server.stop();
    await expect(w).rejects.toThrow(/stopped/);
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}
