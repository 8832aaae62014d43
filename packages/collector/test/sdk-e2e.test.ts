import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Client,
  captureDbQuery,
  captureException,
  init,
  logger,
  runServerRequest,
  setRequestRoute,
  setUser,
  startSpan,
} from '@sightline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index.js';
import { KEY, getJson, send } from './helpers/http.js';

/**
 * The real SDK (core's init, transport and AllStak codec) pointed at the collector, behind a
 * real HTTP server: whatever the SDK sends must pass the collector's validation and come back
 * out of the query API joined by trace id.
 */
let collector: Collector;
let client: Client;
let app: Server;
let appUrl: string;

beforeAll(async () => {
  collector = await startCollector({ apiKey: KEY });
  client = init({
    apiKey: KEY,
    host: collector.url,
    service: 'orders',
    release: 'orders@1.2.3',
    environment: 'test',
    flushInterval: 20,
    defaultIntegrations: false,
  });
  app = createServer((req, res) =>
    runServerRequest(req, res, async () => {
      if (req.url?.startsWith('/orders/')) {
        setRequestRoute(req, '/orders/:id');
        setUser({ id: 'user-7' });
        await startSpan({ name: 'load order' }, async () => {
          captureDbQuery({
            query: "SELECT * FROM orders WHERE id = '42'",
            durationMs: 4,
            databaseType: 'sqlite',
          });
        });
        logger.warn('order is late', { orderId: 42 });
        try {
          JSON.parse('{broken');
        } catch (err) {
          captureException(err, { tags: { step: 'parse' } });
        }
        res.statusCode = req.url.endsWith('/fail') ? 503 : 200;
        res.end('done');
        return;
      }
      res.statusCode = 404;
      res.end();
    }),
  );
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise((r) => app.close(r));
  await client.close(2000);
  await collector.close();
});

describe('real SDK traffic', () => {
  it('arrives valid and is queryable by trace id, route and level', async () => {
    const r1 = await send(appUrl, '/orders/42');
    const r2 = await send(appUrl, '/orders/43/fail');
    expect(r1.status).toBe(200);
    expect(r2.status).toBe(503);
    const traceId = r2.headers['x-allstak-trace-id'] as string;
    const requestId = r2.headers['x-allstak-request-id'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(await client.flush(3000)).toBe(true);

    const trace = await getJson(collector.url, `/api/traces/${traceId}`);
    const server = trace.spans.find((s: any) => s.parentSpanId === '' || s.parentSpanId === undefined);
    expect(server).toMatchObject({ operation: 'GET /orders/:id', status: 'error', service: 'orders' });
    expect(
      trace.spans.some((s: any) => s.parentSpanId === server.spanId && s.operation === 'load order'),
    ).toBe(true);
    expect(trace.errors).toHaveLength(1);
    expect(trace.errors[0]).toMatchObject({ exceptionClass: 'SyntaxError', requestId, service: 'orders' });
    expect(trace.logs.map((l: any) => l.message)).toEqual(['order is late']);
    expect(trace.requests[0]).toMatchObject({ path: '/orders/:id', statusCode: 503, direction: 'inbound' });
    expect(trace.queries[0].normalizedQuery).toBe('SELECT * FROM orders WHERE id = ?');

    const list = await getJson(collector.url, `/api/traces?route=${encodeURIComponent('/orders/:id')}`);
    expect(list.map((t: any) => t.traceId)).toContain(traceId);
    expect(list.find((t: any) => t.traceId === traceId)).toMatchObject({
      rootOperation: 'GET /orders/:id',
      status: 'error',
      statusCode: 503,
    });

    const event = await getJson(collector.url, `/api/errors/${trace.errors[0].id}`);
    expect(event.frames.some((f: any) => f.inApp && f.contextLine)).toBe(true);
    expect(event.metadata.step).toBe('parse');
    expect(event.user).toEqual({ id: 'user-7' });

    const warns = await getJson(collector.url, `/api/logs?level=warn&requestId=${requestId}`);
    expect(warns).toHaveLength(1);
    const routes = await getJson(collector.url, '/api/routes');
    expect(routes.find((r: any) => r.route === '/orders/:id')).toMatchObject({
      count: 2,
      errorCount: 1,
      errorRate: 0.5,
    });
    const sessions = await getJson(collector.url, '/api/sessions');
    expect(sessions.recent[0].release).toBe('orders@1.2.3');
  });
});
