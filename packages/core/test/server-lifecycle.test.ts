import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { captureException, setUser } from '../src/api.js';
import { runServerRequest, setRequestRoute } from '../src/http-server.js';
import { sleep, useIngest } from './helpers/setup.js';

const t = useIngest();
let server: http.Server | undefined;

afterEach(async () => {
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A bare node:http app on the lifecycle, with a tiny router that knows two templates. */
async function startApp(): Promise<string> {
  server = http.createServer((req, res) => {
    runServerRequest(req, res, async () => {
      const url = req.url ?? '/';
      const m = /^\/users\/(\w+)$/.exec(url.split('?')[0]!);
      if (m) {
        setRequestRoute(req, '/users/:id');
        setUser({ id: m[1] });
        await sleep(2);
        res.setHeader('content-type', 'application/json');
        const body = JSON.stringify({ id: m[1] });
        res.setHeader('content-length', Buffer.byteLength(body));
        res.end(body);
        return;
      }
      if (url === '/boom') {
        setRequestRoute(req, '/boom');
        captureException(new Error('boom'));
        res.statusCode = 500;
        res.end('error');
        return;
      }
      if (url === '/hang') {
        setRequestRoute(req, '/hang');
        return; // never answers: the client gives up
      }
      res.statusCode = 404;
      res.end('not found');
    }, { framework: 'node' });
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
}

const T = '4bf92f3577b34da6a3ce929d0e0e4736';
const P = '00f067aa0ba902b7';

describe('runServerRequest', () => {
  it('continues the inbound trace, sets response headers, records span and http-request with the route template', async () => {
    t.start({ release: '1.0.0' });
    const base = await startApp();
    const res = await fetch(`${base}/users/42?secret=1`, { headers: { traceparent: `00-${T}-${P}-01`, 'x-request-id': 'req-abc' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-allstak-trace-id')).toBe(T);
    expect(res.headers.get('x-allstak-request-id')).toBe('req-abc');
    const [span] = await t.server.waitFor('spans', 1);
    const [record] = await t.server.waitFor('http-requests', 1);
    expect(span).toMatchObject({
      traceId: T,
      parentSpanId: P,
      operation: 'GET /users/:id',
      status: 'ok',
      tags: { 'span.kind': 'server', 'http.route': '/users/:id', 'http.status_code': '200', framework: 'node' },
    });
    expect(record).toMatchObject({
      direction: 'inbound',
      method: 'GET',
      host: base.slice('http://'.length),
      path: '/users/:id',
      statusCode: 200,
      traceId: T,
      spanId: span.spanId,
      parentSpanId: P,
      requestId: 'req-abc',
      responseSize: 11,
      userId: '42',
      release: '1.0.0',
    });
    expect(record.durationMs).toBeGreaterThanOrEqual(1);
    expect(t.server.invalid).toEqual([]);
  });

  it('a 5xx marks the span error and the application session errored; unmatched routes use the placeholder', async () => {
    t.start({ release: '1.0.0', autoSessionTracking: true });
    const base = await startApp();
    const boom = await fetch(`${base}/boom`);
    expect(boom.status).toBe(500);
    expect(boom.headers.get('x-allstak-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    const missing = await fetch(`${base}/nope/123`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-allstak-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const records = await t.server.waitFor('http-requests', 2);
    expect(records.map((r) => [r.path, r.statusCode]).sort()).toEqual([
      ['/boom', 500],
      ['<unmatched>', 404],
    ]);
    const spans = await t.server.waitFor('spans', 2);
    expect(spans.find((s) => s.operation === 'GET /boom')?.status).toBe('error');
    expect(spans.find((s) => s.operation === 'GET <unmatched>')?.status).toBe('ok');
    const [err] = await t.server.waitFor('errors', 1);
    expect(err.requestContext).toMatchObject({ method: 'GET', path: '/boom', route: '/boom' });
    expect(err.traceId).toBe(boom.headers.get('x-allstak-trace-id'));
    await t.client.close(2000);
    const [end] = await t.server.waitFor('sessions/end', 1);
    expect(end.status).toBe('errored');
  });

  it('a HEAD response records no body size', async () => {
    t.start();
    const base = await startApp();
    const res = await fetch(`${base}/users/7`, { method: 'HEAD' });
    expect(res.status).toBe(200);
    const [record] = await t.server.waitFor('http-requests', 1);
    expect(record).toMatchObject({ method: 'HEAD', path: '/users/:id', statusCode: 200, responseSize: 0 });
  });

  it('records a request the client abandoned as 499 and aborted', async () => {
    t.start();
    const base = await startApp();
    const ac = new AbortController();
    const p = fetch(`${base}/hang`, { signal: ac.signal }).catch(() => undefined);
    await sleep(50);
    ac.abort();
    await p;
    const [record] = await t.server.waitFor('http-requests', 1);
    expect(record).toMatchObject({ path: '/hang', statusCode: 499, metadata: { aborted: true } });
  });

  it('hostile trace headers never fail the request and start a new trace', async () => {
    t.start();
    const base = await startApp();
    for (const tp of ['x'.repeat(8192), `00-${'0'.repeat(32)}-${P}-01`, `00-${T.toUpperCase()}-${P}-01`, '\u00ff'.repeat(10)]) {
      const res = await fetch(`${base}/users/1`, { headers: { traceparent: tp, 'x-request-id': 'bad\tid' } });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-allstak-trace-id')).not.toBe(T);
    }
  });
});

describe('runServerRequest without a client', () => {
  it('still isolates request scope from the process scope', async () => {
    const { getProcessHub } = await import('../src/hub.js');
    const { setTag: tag } = await import('../src/api.js');
    const hub = getProcessHub();
    const saved = hub.client;
    hub.client = undefined;
    try {
      const req = { headers: {}, method: 'GET', url: '/' } as never;
      runServerRequest(req, {} as never, () => tag('leak', 'yes'));
      expect(hub.scope.tags.leak).toBeUndefined();
    } finally {
      hub.client = saved;
    }
  });
});
