import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index.js';
import { CHILD, ROOT, T0, TRACE, TRACE2, validBodies } from './helpers/fixtures.js';
import { getJson, ingest, send } from './helpers/http.js';

const dir = mkdtempSync(join(tmpdir(), 'sightline-collector-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = () => {};

async function fill(c: Collector, traceId = TRACE) {
  const b = validBodies(traceId);
  for (const [kind, body] of [
    ['spans', b.spans],
    ['errors', b.errors],
    ['logs', b.logs],
    ['http-requests', b.httpRequests],
    ['db', b.db],
    ['sessions/start', b.sessionStart],
    ['heartbeat', b.heartbeat],
  ] as const) {
    const r = await ingest(c.url, kind, body);
    expect(r.status, r.text).toBe(200);
  }
}

describe('persistence', () => {
  it('keeps everything across a restart with a file database', async () => {
    const db = join(dir, 'nested', 'restart.sqlite');
    const a = await startCollector({ db, onWarning: quiet });
    await fill(a);
    const before = a.store.counts();
    await a.close();
    expect(existsSync(db)).toBe(true);

    const b = await startCollector({ db, onWarning: quiet });
    try {
      expect(b.store.counts()).toEqual(before);
      const trace = await getJson(b.url, `/api/traces/${TRACE}`);
      expect(trace.spans).toHaveLength(2);
      expect(trace.errors[0].exceptionClass).toBe('TypeError');
      // New data after the restart goes on from where the old ids ended.
      await ingest(b.url, 'logs', { level: 'info', message: 'after restart' });
      expect((await getJson(b.url, '/api/logs?limit=1'))[0].message).toBe('after restart');
    } finally {
      await b.close();
    }
  });

  it('writes the file shortly after changes, without waiting for close', async () => {
    const db = join(dir, 'write-behind.sqlite');
    const c = await startCollector({ db, persistDelayMs: 10, onWarning: quiet });
    try {
      await ingest(c.url, 'logs', { level: 'info', message: 'soon on disk' });
      await new Promise((r) => setTimeout(r, 50));
      await c.store.persist();
      expect(existsSync(db)).toBe(true);
      // A second collector reading the same file sees the row while the first still runs.
      const reader = await startCollector({ db, onWarning: quiet });
      expect(reader.store.counts().logs).toBe(1);
      await reader.close();
    } finally {
      await c.close();
    }
  });

  it('moves a file that is not SQLite aside and starts empty, with a warning', async () => {
    const db = join(dir, 'corrupt.sqlite');
    writeFileSync(db, 'this is not a database, just some text that is long enough to look like a header');
    const warnings: string[] = [];
    const c = await startCollector({ db, onWarning: (m) => warnings.push(m) });
    try {
      expect(c.store.counts().logs).toBe(0);
      expect(warnings.join()).toMatch(/not a SQLite database/);
      expect(readdirSync(dir).some((f) => f.startsWith('corrupt.sqlite.corrupt-'))).toBe(true);
    } finally {
      await c.close();
    }
  });

  it('keeps nothing on disk in memory mode', async () => {
    const c = await startCollector({ db: ':memory:', onWarning: quiet });
    await fill(c);
    await c.close();
    const d = await startCollector({ db: ':memory:', onWarning: quiet });
    expect(d.store.counts().spans).toBe(0);
    await d.close();
  });
});

describe('retention', () => {
  it('keeps at most maxRowsPerKind of each kind, dropping the oldest', async () => {
    const c = await startCollector({ maxRowsPerKind: 5, onWarning: quiet });
    try {
      for (let i = 0; i < 12; i++) await ingest(c.url, 'logs', { level: 'info', message: `log ${i}` });
      const logs = await getJson(c.url, '/api/logs');
      expect(logs.map((l: { message: string }) => l.message)).toEqual([
        'log 11',
        'log 10',
        'log 9',
        'log 8',
        'log 7',
      ]);
      // Batches count item by item.
      const spans = Array.from({ length: 8 }, (_, i) => ({
        ...validBodies().spans.spans[0]!,
        spanId: `${(i + 1).toString(16).padStart(16, 'a')}`,
      }));
      await ingest(c.url, 'spans', { spans });
      expect(c.store.counts().spans).toBe(5);
      expect(c.store.counts().logs).toBe(5);
    } finally {
      await c.close();
    }
  });

  it('deletes rows older than maxAgeMs', async () => {
    const c = await startCollector({ maxAgeMs: 60_000, onWarning: quiet });
    try {
      await fill(c);
      expect(c.store.pruneByAge(Date.now() + 30_000)).toBe(0);
      const removed = c.store.pruneByAge(Date.now() + 61_000);
      expect(removed).toBeGreaterThanOrEqual(7);
      expect(Object.values(c.store.counts()).every((n) => n === 0)).toBe(true);
    } finally {
      await c.close();
    }
  });
});

describe('query API', () => {
  let c: Collector;
  it('starts with two traces of data', async () => {
    c = await startCollector({ onWarning: quiet });
    await fill(c, TRACE);
    await fill(c, TRACE2);
    await ingest(c.url, 'logs', { level: 'error', message: 'other service failed', service: 'billing' });
    await ingest(c.url, 'http-requests', {
      requests: [20, 40, 60, 80, 100].map((d, i) => ({
        direction: 'inbound',
        method: 'GET',
        host: 'api.test',
        path: '/health',
        statusCode: i === 4 ? 503 : 200,
        durationMs: d,
        timestamp: new Date(T0 + 60_000).toISOString(),
        service: 'gateway',
      })),
    });
  });
  afterAll(() => c?.close());

  it('looks up by trace id: spans, errors, logs, http and db of that trace only', async () => {
    const t = await getJson(c.url, `/api/traces/${TRACE2.toUpperCase()}`);
    expect(t.traceId).toBe(TRACE2);
    expect(t.spans.map((s: { spanId: string }) => s.spanId)).toEqual([ROOT, CHILD]);
    expect(t.durationMs).toBe(30);
    expect(t.services).toEqual(['api', 'gateway']);
    for (const k of ['errors', 'logs', 'requests', 'queries']) {
      expect(t[k]).toHaveLength(1);
      expect(t[k][0].traceId).toBe(TRACE2);
    }
    expect((await getJson(c.url, `/api/logs?traceId=${TRACE}`)).every((l: any) => l.traceId === TRACE)).toBe(
      true,
    );
  });

  it('lists traces by root operation, with duration, status and error count', async () => {
    const list = await getJson(c.url, '/api/traces');
    expect(list).toHaveLength(2);
    expect(list[0]).toMatchObject({
      traceId: TRACE2,
      rootOperation: 'GET /users/:id',
      rootService: 'gateway',
      route: '/users/:id',
      statusCode: 500,
      status: 'error',
      durationMs: 30,
      spanCount: 2,
      errorCount: 1,
      services: ['api', 'gateway'],
    });
    expect(await getJson(c.url, '/api/traces?status=ok')).toEqual([]);
    expect(await getJson(c.url, '/api/traces?route=/nope')).toEqual([]);
    expect(await getJson(c.url, '/api/traces?limit=1')).toHaveLength(1);
  });

  it('looks up by request id, route, level, service, text and time', async () => {
    expect(await getJson(c.url, '/api/errors?requestId=req-1')).toHaveLength(2);
    expect(await getJson(c.url, '/api/errors?requestId=req-2')).toHaveLength(0);
    expect(await getJson(c.url, '/api/requests?requestId=req-1')).toHaveLength(2);
    expect(await getJson(c.url, `/api/requests?route=${encodeURIComponent('/health')}`)).toHaveLength(5);
    expect(await getJson(c.url, `/api/errors?route=${encodeURIComponent('/users/:id')}`)).toHaveLength(2);
    const errorsOnly = await getJson(c.url, '/api/logs?level=error');
    expect(errorsOnly.map((l: any) => l.message)).toEqual(['other service failed']);
    expect(await getJson(c.url, '/api/logs?level=warn,error')).toHaveLength(3);
    expect(await getJson(c.url, '/api/logs?service=billing')).toHaveLength(1);
    expect(await getJson(c.url, '/api/logs?q=SLOW%20USER')).toHaveLength(2);
    expect(await getJson(c.url, '/api/logs?q=orderId')).toHaveLength(2);
    expect(await getJson(c.url, '/api/logs?q=%25')).toHaveLength(0);
    // Time: the /health records are a minute after the fixtures' T0.
    expect(await getJson(c.url, `/api/requests?since=${T0 + 1000}`)).toHaveLength(5);
    expect(await getJson(c.url, `/api/requests?until=${new Date(T0 + 1000).toISOString()}`)).toHaveLength(2);
    const page1 = await getJson(c.url, '/api/logs?limit=2');
    const page2 = await getJson(c.url, `/api/logs?limit=2&before=${page1[1].id}`);
    expect(page2[0].id).toBeLessThan(page1[1].id);
  });

  it('groups errors by fingerprint and resolves their service from the span', async () => {
    const groups = await getJson(c.url, '/api/errors/groups');
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({
      groupKey: 'TypeError|loadUser@src/users.js',
      count: 2,
      services: ['api'],
      routes: ['/users/:id'],
    });
    const events = await getJson(c.url, `/api/errors?group=${encodeURIComponent(groups[0].groupKey)}`);
    expect(events).toHaveLength(2);
    const detail = await getJson(c.url, `/api/errors/${events[0].id}`);
    expect(detail).toMatchObject({ groupCount: 2, service: 'api', exceptionClass: 'TypeError' });
    expect((await send(c.url, '/api/errors/999999')).status).toBe(404);
  });

  it('computes per-route count, error rate and p50/p95/p99', async () => {
    const routes = await getJson(c.url, '/api/routes?direction=inbound');
    const health = routes.find((r: any) => r.route === '/health');
    expect(health).toMatchObject({
      method: 'GET',
      count: 5,
      errorCount: 1,
      errorRate: 0.2,
      p50Ms: 60,
      p95Ms: 100,
      p99Ms: 100,
      avgMs: 60,
    });
  });

  it('counts sessions and heartbeats by status', async () => {
    await ingest(c.url, 'sessions/end', { sessionId: 'sess-1', durationMs: 5, status: 'crashed' });
    await ingest(c.url, 'sessions/end', { sessionId: 'sess-early-end', durationMs: 5, status: 'ok' });
    await ingest(c.url, 'heartbeat', {
      slug: 'nightly-job',
      status: 'failed',
      durationMs: 3,
      message: 'timeout',
    });
    const s = await getJson(c.url, '/api/sessions');
    expect(s.byStatus).toMatchObject({ crashed: 1, ok: 1, open: 0 });
    const h = await getJson(c.url, '/api/heartbeats');
    expect(h.byStatus).toEqual({ success: 2, failed: 1 });
    expect(h.slugs[0]).toMatchObject({
      slug: 'nightly-job',
      total: 3,
      failed: 1,
      lastStatus: 'failed',
      lastMessage: 'timeout',
    });
    expect(await getJson(c.url, '/api/services')).toEqual(['api', 'billing', 'gateway']);
  });
});

describe('indexes', () => {
  it('serves the lookups by trace id, request id, route, level and time from an index', async () => {
    const c = await startCollector({ onWarning: quiet });
    try {
      const plan = (sql: string) =>
        c.store.db
          .all(`EXPLAIN QUERY PLAN ${sql}`, ['x'])
          .map((r) => String(r.detail))
          .join(' | ');
      for (const sql of [
        'SELECT id FROM spans WHERE trace_id = ?',
        'SELECT id FROM errors WHERE trace_id = ?',
        'SELECT id FROM logs WHERE trace_id = ?',
        'SELECT id FROM http_requests WHERE trace_id = ?',
        'SELECT id FROM errors WHERE request_id = ?',
        'SELECT id FROM logs WHERE request_id = ?',
        'SELECT id FROM http_requests WHERE request_id = ?',
        'SELECT id FROM http_requests WHERE path = ?',
        'SELECT id FROM spans WHERE route = ?',
        'SELECT id FROM errors WHERE route = ?',
        'SELECT id FROM logs WHERE level = ?',
        'SELECT id FROM errors WHERE level = ?',
        'SELECT id FROM logs WHERE ts >= ?',
        'SELECT id FROM http_requests WHERE ts >= ?',
        'SELECT id FROM spans WHERE received_at < ?',
      ]) {
        expect(plan(sql), sql).toMatch(/USING (COVERING )?INDEX/);
      }
    } finally {
      await c.close();
    }
  });
});
