import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { addBreadcrumb, captureException, getProcessHub, setUser } from '@sightline/core';
import { describe, expect, it } from 'vitest';
import {
  HEX16,
  HEX32,
  HOSTILE_HEADERS,
  HOSTILE_IDS,
  abandonRequest,
  abortAfter,
  correlatingExporter,
  expectProcessHubClean,
  headerOf,
  holdIsolationWork,
  httpRequest,
  isolationWork,
  jsonLines,
  listen,
  makeGate,
  rawHttp,
  runExample,
  spawnService,
  startInstrumentedApp,
  startReceiver,
  traceparent,
  useIngest,
  useSightline,
} from '../src/index.js';

describe('http client', () => {
  it('listens on loopback, sends any method and reads the whole answer', async () => {
    const app = await listen(
      createServer((req, res) => {
        res.setHeader('x-seen', String(req.headers['x-custom']));
        res.end(`${req.method} ${req.url}`);
      }),
    );
    try {
      expect(app.url).toBe(`http://127.0.0.1:${app.port}`);
      const res = await httpRequest(`${app.url}/a?b=1`, { method: 'PATCH', headers: { 'x-custom': 'v' } });
      expect(res).toMatchObject({ status: 200, body: 'PATCH /a?b=1' });
      expect(res.headers['x-seen']).toBe('v');
    } finally {
      await app.close();
    }
  });

  it('sends a header twice on its own lines and reads the lower-cased head', async () => {
    let seen: string[] = [];
    const app = await listen(
      createServer((req, res) => {
        seen = req.rawHeaders.filter((_h, i) => req.rawHeaders[i - 1] === 'traceparent');
        res.setHeader('X-Answer', 'Yes');
        res.end();
      }),
    );
    try {
      const head = 'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\ntraceparent: a\r\ntraceparent: b\r\n\r\n';
      const res = await rawHttp(app.port, head);
      expect(res.status).toBe(200);
      expect(seen).toEqual(['a', 'b']);
      expect(headerOf(res.head, 'x-answer')).toBe('yes');
      expect(headerOf(res.head, 'x-missing')).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it('abortAfter drops the socket while the handler waits at a gate', async () => {
    const g = makeGate();
    let abandoned: boolean | undefined;
    const app = await listen(
      createServer(async (_req, res) => {
        res.on('close', () => {
          abandoned = !res.writableFinished;
        });
        g.gate.onWaiting();
        await g.gate.release;
        if (!res.writableEnded) res.end();
      }),
    );
    try {
      await abortAfter(app.port, '/', g.waiting, 'x-extra: 1\r\n');
      await expect.poll(() => abandoned).toBe(true);
      g.open();
    } finally {
      await app.close();
    }
  });
  it('abandonRequest gives up at the gate, or after the first chunk of a started response', async () => {
    const g = makeGate();
    const closes: boolean[] = [];
    const app = await listen(
      createServer(async (req, res) => {
        res.on('close', () => closes.push(res.writableFinished));
        if (req.url === '/stream') {
          res.write('first');
          return;
        }
        g.gate.onWaiting();
        await g.gate.release;
        if (!res.writableEnded) res.end();
      }),
    );
    try {
      await abandonRequest(`${app.url}/wait`, g.waiting);
      await abandonRequest(`${app.url}/stream`, new Promise(() => {}), true);
      await expect.poll(() => closes).toEqual([false, false]);
      g.open();
    } finally {
      await app.close();
    }
  });
});

describe('ids', () => {
  it('builds sampled and unsampled traceparents from fresh ids', () => {
    const a = traceparent();
    const b = traceparent(false);
    expect(a.traceId).toMatch(HEX32);
    expect(a.spanId).toMatch(HEX16);
    expect(a.header).toBe(`00-${a.traceId}-${a.spanId}-01`);
    expect(b.header.endsWith('-00')).toBe(true);
    expect(b.traceId).not.toBe(a.traceId);
  });

  it('names every hostile header case once and hides only the fixed ids', () => {
    const names = HOSTILE_HEADERS.map(([name]) => name);
    expect(new Set(names).size).toBe(names.length);
    const text = JSON.stringify(HOSTILE_HEADERS);
    for (const id of HOSTILE_IDS) expect(text).toContain(id);
  });
});

describe('receiver', () => {
  it('records accepted requests (gunzipped), answers queued replies first, then 200', async () => {
    const r = await startReceiver('{"ok":true}');
    try {
      const failed = await fetch(`${r.url}/v1/traces`, { method: 'POST', body: 'x' });
      r.queue({ status: 503, body: 'later' });
      const retried = await fetch(`${r.url}/v1/traces`, { method: 'POST', body: 'y' });
      const zipped = await fetch(`${r.url}/v1/traces`, {
        method: 'POST',
        headers: { 'content-encoding': 'gzip' },
        body: gzipSync('z'),
      });
      expect([failed.status, retried.status, zipped.status]).toEqual([200, 503, 200]);
      expect(await retried.text()).toBe('later');
      expect(await zipped.json()).toEqual({ ok: true });
      const got = await r.waitFor('/v1/traces', 2);
      expect(got.map((q) => [q.method, q.body.toString(), q.gzipped])).toEqual([
        ['POST', 'x', false],
        ['POST', 'z', true],
      ]);
      await expect(r.waitFor('/other', 1, 30)).rejects.toThrow(/got 0/);
    } finally {
      await r.stop();
    }
  });
});

describe('spawnService', () => {
  const FIXTURE = fileURLToPath(new URL('./fixtures/port-service.cjs', import.meta.url));

  it('resolves with the port the child printed, passes env and stops it', async () => {
    const svc = await spawnService(FIXTURE, { GREETING: 'hi' });
    try {
      expect(await (await fetch(svc.url)).json()).toEqual({ greeting: 'hi', nodeEnv: 'test' });
      expect(svc.output()).toContain('starting');
    } finally {
      await svc.stop();
    }
    await expect(fetch(svc.url)).rejects.toThrow();
  });

  it('rejects with the output when the child exits before printing a port', async () => {
    const missing = fileURLToPath(new URL('./fixtures/does-not-exist.cjs', import.meta.url));
    await expect(spawnService(missing, {})).rejects.toThrow(/exited with 1/);
  });
});

describe('useSightline and startInstrumentedApp', () => {
  const h = useSightline({ service: 'testkit-test' }, { expectValid: true });

  it('records each request under its route template; errors answer 500, no match 404', async () => {
    const app = await startInstrumentedApp({
      '/users/:id': (_req, res, [id]) => res.end(`user ${id}`),
      '/fail': () => {
        throw new Error('nope');
      },
    });
    try {
      expect(await (await fetch(`${app.url}/users/7?x=1`)).text()).toBe('user 7');
      const fail = await fetch(`${app.url}/fail`);
      expect([fail.status, await fail.text()]).toEqual([500, 'nope']);
      expect((await fetch(`${app.url}/none`)).status).toBe(404);
    } finally {
      await app.close();
    }
    await h.server.waitFor('http-requests', 3);
    const records = await h.flushed('http-requests');
    expect(records.map((r) => [r.path, r.statusCode, r.service])).toEqual([
      ['/users/:id', 200, 'testkit-test'],
      ['/fail', 500, 'testkit-test'],
      [expect.any(String), 404, 'testkit-test'],
    ]);
  });

  it('starts each test with an empty server', () => {
    expect(h.server.items('http-requests')).toEqual([]);
  });

  it('holdIsolationWork stops the work halfway; expectProcessHubClean sees only the process hub', async () => {
    const app = await startInstrumentedApp({
      '/iso/:n': async (_req, res, [n]) => {
        await isolationWork(n!);
        res.end(n);
      },
    });
    try {
      const work = holdIsolationWork('h1');
      let doneYet = false;
      void work.done.then(() => (doneYet = true));
      await abortAfter(app.port, '/iso/h1', work.reached);
      // Held: user, tag and breadcrumb set in the request's hub, nothing logged or captured yet.
      expect(doneYet).toBe(false);
      expect(h.server.items('errors')).toEqual([]);
      work.release();
      await work.done;
      const [e] = await h.server.waitFor('errors', 1);
      expect(e).toMatchObject({ message: 'iso h1', user: { id: 'h1' }, metadata: { req: 'h1' } });
      expect(e.breadcrumbs.map((b: { message: string }) => b.message)).toEqual(['crumb h1']);
      expectProcessHubClean();
    } finally {
      await app.close();
    }

    // State set outside any request is on the process hub: the check fails on it.
    setUser({ id: 'outside' });
    expect(() => expectProcessHubClean()).toThrow(/outside/);
    setUser(null);
    addBreadcrumb({ message: 'outside crumb' });
    expect(() => expectProcessHubClean()).toThrow();
    getProcessHub().scope.clearBreadcrumbs();
    expectProcessHubClean();
  });
});

describe('useIngest', () => {
  const t = useIngest({ release: 'ingest@1' });

  it('gives each test a server and a client with the defaults, then the options', async () => {
    t.start({ environment: 'e1' });
    captureException(new Error('one'));
    const [e] = await t.server.waitFor('errors', 1);
    expect(e).toMatchObject({ message: 'one', release: 'ingest@1', environment: 'e1' });
  });
});

describe('runExample', () => {
  const EXAMPLE = new URL('./fixtures/example-app.mjs', import.meta.url).href;

  it('starts the example with env set, closes it and restores env, also when driving it fails', async () => {
    let url = '';
    await runExample(EXAMPLE, { EXAMPLE_GREETING: 'hello' }, async (u) => {
      url = u;
      expect(await (await fetch(u)).text()).toBe('hello');
    });
    expect(process.env.EXAMPLE_GREETING).toBeUndefined();
    await expect(fetch(url)).rejects.toThrow();
    await expect(
      runExample(EXAMPLE, { EXAMPLE_GREETING: 'again' }, async () => {
        throw new Error('drive failed');
      }),
    ).rejects.toThrow('drive failed');
    expect(process.env.EXAMPLE_GREETING).toBeUndefined();
  });
});

describe('jsonLines and correlatingExporter', () => {
  it('parses each written line, also several per chunk', () => {
    const { lines, stream } = jsonLines();
    stream.write('{"a":1}\n');
    stream.write('{"b":2}\n\n{"c":3}\n');
    expect(lines).toEqual([{ a: 1 }, { b: 2 }, { c: 3 }]);
  });

  it('maps ids the Datadog way and exports nothing', () => {
    const e = correlatingExporter();
    expect(e.accepts('span')).toBe(false);
    const traceId = `${'0'.repeat(16)}00000000000000ff`;
    expect(e.logFields?.({ traceId, spanId: '0000000000000010' })).toEqual({
      'dd.trace_id': '255',
      'dd.span_id': '16',
      'dd.service': 'svc',
    });
    expect(e.logFields?.({ traceId: undefined, spanId: undefined })).toEqual({ 'dd.service': 'svc' });
  });
});
