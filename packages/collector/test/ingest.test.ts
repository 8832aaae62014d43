import { connect } from 'node:net';
import { gzipSync } from 'node:zlib';
import { ALLSTAK_ENDPOINTS, type AllStakEndpoint } from '@sightline/core/wire';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index.js';
import { TRACE, validBodies } from './helpers/fixtures.js';
import { KEY, getJson, ingest, send } from './helpers/http.js';

const warnings: string[] = [];
let c: Collector;

beforeAll(async () => {
  c = await startCollector({ apiKey: KEY, maxBodyBytes: 64 * 1024, onWarning: (m) => warnings.push(m) });
});
afterAll(() => c.close());

const ENDPOINTS = Object.keys(ALLSTAK_ENDPOINTS) as AllStakEndpoint[];

describe('valid bodies', () => {
  it.each(ENDPOINTS)('%s is accepted and stored, plain and gzipped', async (endpoint) => {
    const path = ALLSTAK_ENDPOINTS[endpoint];
    const body = validBodies()[endpoint];
    const before = c.store.counts();
    const plain = await ingest(c.url, path, body);
    expect(plain.status, plain.text).toBe(200);
    const gz = await ingest(c.url, path, body, { gzip: true });
    expect(gz.status, gz.text).toBe(200);
    expect(gz.json().accepted).toBe(plain.json().accepted);
    const after = c.store.counts();
    const key =
      (
        {
          httpRequests: 'httpRequests',
          sessionStart: 'sessions',
          sessionEnd: 'sessions',
          heartbeat: 'heartbeats',
          releases: 'releases',
        } as Record<string, keyof typeof after>
      )[endpoint] ?? (endpoint as keyof typeof after);
    if (endpoint.startsWith('session') || endpoint === 'releases') {
      // Upserts: a session or release is one row however often it is reported.
      expect(after[key]).toBeGreaterThanOrEqual(1);
    } else {
      expect(after[key] - before[key]).toBe(2 * plain.json().accepted);
    }
  });

  it('stores the body as sent, readable through the query API', async () => {
    const trace = await getJson(c.url, `/api/traces/${TRACE}`);
    expect(trace.spans.map((s: { operation: string }) => s.operation)).toContain('GET /users/:id');
    expect(trace.errors[0]).toMatchObject({
      exceptionClass: 'TypeError',
      route: '/users/:id',
      requestId: 'req-1',
    });
    const err = await getJson(c.url, `/api/errors/${trace.errors[0].id}`);
    expect(err.frames[1].contextLine).toBe('  return user.id;');
    expect(err.metadata['cause.0.message']).toBe('db timeout');
  });
});

describe('invalid bodies get 400 naming the field', () => {
  const cases: [string, string, unknown, RegExp][] = [
    ['errors without exceptionClass', 'errors', { message: 'x' }, /^exceptionClass: is required$/],
    [
      'a span with a bad traceId',
      'spans',
      { spans: [{ ...validBodies().spans.spans[0], traceId: 'nope' }] },
      /^spans\[0\]\.traceId: /,
    ],
    ['an empty span batch', 'spans', { spans: [] }, /^spans: must be a non-empty array/],
    ['a log with a bad level', 'logs', { level: 'loud', message: 'x' }, /^level: must be one of/],
    [
      'an http record with a query string',
      'http-requests',
      { requests: [{ ...validBodies().httpRequests.requests[0], path: '/a?b=1' }] },
      /^requests\[0\]\.path:/,
    ],
    [
      'nested error metadata',
      'errors',
      { exceptionClass: 'E', message: 'm', metadata: { a: { b: 1 } } },
      /^metadata\.a: /,
    ],
    [
      'a session end with a bad status',
      'sessions/end',
      { sessionId: 's', durationMs: 1, status: 'weird' },
      /^status: /,
    ],
    ['a JSON array', 'heartbeat', [], /^body: must be a JSON object/],
  ];
  it.each(cases)('%s', async (_name, kind, body, message) => {
    const r = await ingest(c.url, kind, body);
    expect(r.status).toBe(400);
    expect(r.json().error).toMatch(message);
  });

  it('never echoes field values (they may be secrets)', async () => {
    const r = await ingest(c.url, 'logs', { level: 'info', message: 'x', traceId: 'password=hunter2' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('traceId');
    expect(r.text).not.toContain('hunter2');
  });

  it('rejects non-JSON, empty and broken gzip bodies', async () => {
    expect((await ingest(c.url, 'logs', '{"level":')).json().error).toBe('body: is not valid JSON');
    expect((await ingest(c.url, 'logs', '')).json().error).toBe('body: is empty (expected JSON)');
    const broken = await send(c.url, '/ingest/v1/logs', {
      method: 'POST',
      body: Buffer.from('not gzip at all'),
      headers: { 'content-encoding': 'gzip', 'x-allstak-key': KEY },
    });
    expect(broken).toMatchObject({ status: 400 });
    expect(broken.json().error).toBe('body: invalid gzip data');
  });
});

describe('auth, limits and methods', () => {
  it('answers 401 without the configured key, and never prints the key', async () => {
    const missing = await ingest(c.url, 'logs', validBodies().logs, { key: null });
    const wrong = await ingest(c.url, 'logs', validBodies().logs, { key: `${KEY}x` });
    expect(missing.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(missing.json().error).toMatch(/X-AllStak-Key/);
    expect(missing.text + wrong.text + warnings.join('\n')).not.toContain(KEY);
  });

  it('answers 413 past maxBodyBytes: declared, streamed, and inflated from gzip', async () => {
    const big = JSON.stringify({ level: 'info', message: 'x'.repeat(70 * 1024) });
    const declared = await ingest(c.url, 'logs', big);
    expect(declared.status).toBe(413);
    expect(declared.json().error).toMatch(/larger than 65536 bytes/);
    // Chunked (no Content-Length): counted while reading.
    const streamed = await send(c.url, '/ingest/v1/logs', {
      method: 'POST',
      body: Buffer.from(big),
      headers: { 'transfer-encoding': 'chunked', 'x-allstak-key': KEY },
    });
    expect(streamed.status).toBe(413);
    // A gzip bomb: tiny on the wire, huge once inflated.
    const bomb = await ingest(c.url, 'logs', big, { gzip: true });
    expect(gzipSync(big).length).toBeLessThan(64 * 1024);
    expect(bomb.status).toBe(413);
  });

  it('answers 404 for unknown ingest paths, 405 for GET, 415 for other encodings', async () => {
    expect((await ingest(c.url, 'metrics', {})).status).toBe(404);
    const get = await send(c.url, '/ingest/v1/logs');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    const br = await ingest(c.url, 'logs', validBodies().logs, { headers: { 'content-encoding': 'br' } });
    expect(br.status).toBe(415);
  });
});

describe('garbage never crashes the collector', () => {
  it('survives random bytes, broken HTTP, deep JSON and aborted uploads', async () => {
    const raw = (bytes: Buffer | string) =>
      new Promise<string>((resolve) => {
        const s = connect(c.port, '127.0.0.1', () => s.end(bytes));
        let out = '';
        s.on('data', (d) => (out += d));
        s.on('close', () => resolve(out));
        s.on('error', () => resolve(out));
      });
    expect(await raw(Buffer.from([0, 1, 2, 255, 254, 13, 10, 13, 10]))).toMatch(/^HTTP\/1\.1 400/);
    await raw('POST /ingest/v1/logs HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{"level":');
    const deep = `${'['.repeat(30_000)}${']'.repeat(30_000)}`;
    expect((await ingest(c.url, 'logs', deep)).status).toBe(400);
    const deepLog = `{"level":"info","message":"x","metadata":{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}}`;
    expect([200, 400]).toContain((await ingest(c.url, 'logs', deepLog)).status);
    expect((await ingest(c.url, 'errors', '\u0000\u0001')).status).toBe(400);
    expect((await ingest(c.url, 'spans', 'null')).status).toBe(400);
    expect((await send(c.url, '/api/traces/%E0%A4%A')).status).toBe(400);
    expect((await send(c.url, '/api/logs?limit=-1')).json().error).toMatch(/^limit: /);
    // Still serving.
    expect((await ingest(c.url, 'logs', validBodies().logs)).status).toBe(200);
    expect((await send(c.url, '/api/stats')).status).toBe(200);
  });
});
