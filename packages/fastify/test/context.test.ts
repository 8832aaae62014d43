import dc from 'node:diagnostics_channel';
import { request as httpRequestRaw } from 'node:http';
import { getCurrentHub, getRequestHub } from '@sightline/core';
import { useSightline } from '@sightline/testkit';
import { describe, expect, it } from 'vitest';
import { sightlineFastify } from '../src/index.js';
import { MAJORS, startApp } from './helpers/app.js';

// Per test: cleared before; flushed after, and no invalid body may have arrived.
const h = useSightline({}, { expectValid: true });

/** POSTs a JSON body in two chunks 15 ms apart, so body parsing ends in a later tick. */
function slowPost(port: number, path: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequestRaw(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.write(body.slice(0, 3));
    setTimeout(() => req.end(body.slice(3)), 15);
  });
}

async function until(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe.each(MAJORS)('request context on %s', (_major, factory) => {
  it('every later hook, the async handler, onSend and onResponse run in the request’s hub and span', async () => {
    const seen: [string, boolean][] = [];
    const app = await startApp(factory, { observe: (stage, ok) => seen.push([stage, ok]) });
    try {
      // Concurrent requests with bodies arriving late: each must still see its own hub.
      const statuses = await Promise.all(
        Array.from({ length: 10 }, (_, i) => slowPost(app.port, '/ctx/body', JSON.stringify({ i }))),
      );
      expect(statuses).toEqual(Array(10).fill(200));
      await until(() => seen.filter(([s]) => s === 'onResponse').length === 10);
      const stages = [
        'preValidation',
        'preHandler (async)',
        'preHandler',
        'handler',
        'handler after await',
        'onSend',
        'onResponse',
      ];
      for (const stage of stages) {
        expect(
          seen.filter(([s]) => s === stage),
          stage,
        ).toEqual(Array(10).fill([stage, true]));
      }
      expect(seen).toHaveLength(stages.length * 10);
    } finally {
      await app.close();
    }
  });

  it('onError and the error path run in the request’s hub too', async () => {
    const seen: [string, boolean][] = [];
    const app = await startApp(factory, { observe: (stage, ok) => seen.push([stage, ok]) });
    try {
      const res = await fetch(`${app.url}/ctx/fail`);
      expect(res.status).toBe(500);
      await until(() => seen.some(([s]) => s === 'onResponse'));
      expect(seen).toEqual([
        ['preValidation', true],
        ['preHandler (async)', true],
        ['preHandler', true],
        ['handler', true],
        ['onError', true],
        ['onSend', true],
        ['onResponse', true],
      ]);
      expect(await h.flushed('errors')).toMatchObject([
        { message: 'ctx fail', requestContext: { route: '/ctx/fail' } },
      ]);
    } finally {
      await app.close();
    }
  });

  it('subscribers of tracing:fastify.request.handler see the request’s hub where Fastify publishes it', async () => {
    // Fastify 5 publishes this tracing channel around the route handler; Fastify 4 does not,
    // which is why the plugin relies on hooks, which both majors have.
    const start = dc.channel('tracing:fastify.request.handler:start');
    const seen: boolean[] = [];
    const onStart = (message: unknown) => {
      const store = message as { request: { raw: object } };
      seen.push(getCurrentHub() === getRequestHub(store.request.raw));
    };
    start.subscribe(onStart);
    const app = await startApp(factory);
    try {
      expect((await fetch(`${app.url}/users/1`)).status).toBe(200);
    } finally {
      start.unsubscribe(onStart);
      await app.close();
    }
    if (_major === 'fastify5') expect(seen).toEqual([true]);
    else expect(seen).toEqual([]);
  });

  it('hooks reach routes registered before the plugin and in child contexts (skip-override)', async () => {
    const app = factory({ logger: false });
    app.get('/early', async () => ({ early: true }));
    await app.register(async (child) => {
      child.get('/child', async () => ({ child: true }));
    });
    await app.register(sightlineFastify);
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      for (const path of ['/early', '/child']) {
        const res = await fetch(`${base}${path}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('x-allstak-trace-id')).toMatch(/^[0-9a-f]{32}$/);
      }
      await h.flushed('http-requests');
      expect(h.server.items('http-requests').map((r) => r.path)).toEqual(['/early', '/child']);
    } finally {
      await app.close();
    }
  });

  it('registered inside a child plugin, it instruments that context only', async () => {
    const app = factory({ logger: false });
    app.get('/outside', async () => ({ outside: true }));
    await app.register(
      async (child) => {
        await child.register(sightlineFastify);
        child.get('/inside', async () => ({ inside: true }));
      },
      { prefix: '/child' },
    );
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      expect((await fetch(`${base}/outside`)).headers.get('x-allstak-trace-id')).toBeNull();
      expect((await fetch(`${base}/child/inside`)).headers.get('x-allstak-trace-id')).toMatch(
        /^[0-9a-f]{32}$/,
      );
      await h.flushed('http-requests');
      expect(h.server.items('http-requests').map((r) => r.path)).toEqual(['/child/inside']);
    } finally {
      await app.close();
    }
  });

  it('registered twice, a request is still recorded and captured once', async () => {
    const app = factory({ logger: false });
    await app.register(sightlineFastify);
    await app.register(sightlineFastify);
    app.get('/boom', async () => {
      throw new Error('twice registered');
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const address = app.server.address();
      const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
      expect((await fetch(`${base}/boom`)).status).toBe(500);
      await h.flushed('errors');
      expect(h.server.items('errors')).toHaveLength(1);
      expect(h.server.items('http-requests')).toHaveLength(1);
      expect(h.server.items('spans')).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});

describe('plugin metadata', () => {
  it('marks the plugin like fastify-plugin would, without depending on it', () => {
    const plugin = sightlineFastify as unknown as Record<symbol, unknown>;
    expect(plugin[Symbol.for('skip-override')]).toBe(true);
    expect(plugin[Symbol.for('fastify.display-name')]).toBe('@sightline/fastify');
    expect(plugin[Symbol.for('plugin-meta')]).toEqual({ fastify: '>=4.26.0', name: '@sightline/fastify' });
    // A callback plugin, not an async one: Fastify forbids async functions taking `done`.
    expect(sightlineFastify.constructor.name).toBe('Function');
    expect(sightlineFastify).toHaveLength(3);
  });
});
