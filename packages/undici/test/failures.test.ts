import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Client, type Scope, type Span, startSpan, withScope } from '@sightline/core';
import * as undici6 from 'undici6';
import * as undici7 from 'undici';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OutboundHttpHandle, instrumentOutboundHttp } from '../src/index.js';
import { httpGet } from './helpers/callers.js';
import {
  type Sdk,
  type Service,
  closedPort,
  failingLookup,
  startSdk,
  startServiceB,
} from './helpers/services.js';

/** Failures, timeouts, aborts and redirects, each made inside a sampled root span. */

let sdk: Sdk;
let client: Client;
let b: Service;
let handle: OutboundHttpHandle;
let refusedPort: number;
const dns6 = new undici6.Agent({ connect: { lookup: failingLookup } });
const dns7 = new undici7.Agent({ connect: { lookup: failingLookup } });

beforeAll(async () => {
  sdk = await startSdk();
  client = sdk.init();
  handle = instrumentOutboundHttp();
  b = await startServiceB();
  refusedPort = await closedPort();
});

afterAll(async () => {
  handle.disable();
  await Promise.all([dns6.close(), dns7.close()]);
  await b.close();
  await client.close(2000);
  await sdk.ingest.stop();
});

beforeEach(() => {
  sdk.ingest.clear();
  b.received.length = 0;
});

afterEach(async () => {
  await client.flush(2000);
});

/** Runs `fn` in its own scope under a new sampled root span; never rejects. */
async function traced(fn: () => Promise<unknown>): Promise<{ root: Span; scope: Scope; error: unknown }> {
  let root: Span | undefined;
  let scope: Scope | undefined;
  let error: unknown;
  try {
    await withScope((s) => {
      scope = s;
      return startSpan({ name: 'root' }, (span) => {
        root = span;
        return fn();
      });
    });
  } catch (err) {
    error = err;
  }
  return { root: root!, scope: scope!, error };
}

/** The outbound records (and their client spans) under `root`, once `n` of them arrived. */
async function outboundUnder(root: Span, n: number): Promise<{ records: any[]; spans: any[] }> {
  const mine = (items: any[]) =>
    items.filter((r) => r.direction === 'outbound' && r.parentSpanId === root.spanId);
  const records = mine(await sdk.ingest.waitFor('http-requests', (r) => mine(r).length >= n));
  expect(records).toHaveLength(n);
  const ids = new Set(records.map((r) => r.spanId));
  const spans = await sdk.ingest.waitFor('spans', (s) => s.filter((x: any) => ids.has(x.spanId)).length >= n);
  return { records, spans: records.map((r) => spans.find((s) => s.spanId === r.spanId)) };
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('status codes', () => {
  it.each([
    [503, 'error', 'error'],
    [500, 'error', 'error'],
    [404, 'ok', 'warning'],
  ])('%i gives span status %s and a breadcrumb of level %s', async (code, status, level) => {
    const { root, scope } = await traced(async () => {
      const r = await fetch(`${b.url}/status/${code}?token=abc`);
      await r.text();
    });
    const { records, spans } = await outboundUnder(root, 1);
    expect(records[0]).toMatchObject({ statusCode: code, path: `/status/${code}` });
    expect(records[0].metadata).toBeUndefined();
    expect(spans[0]).toMatchObject({ status, tags: { 'http.status_code': String(code) } });
    expect(scope.breadcrumbs.at(-1)).toMatchObject({
      type: 'http',
      category: 'http',
      level,
      data: { method: 'GET', url: `${b.url}/status/${code}`, status_code: code },
    });
  });
});

describe('redirects are recorded per hop (each hop is its own exchange, span and traceparent)', () => {
  it.each([
    ['global fetch', () => fetch(`${b.url}/redirect`).then((r) => r.text())],
    ['undici 7 fetch', () => undici7.fetch(`${b.url}/redirect`).then((r) => r.text())],
    [
      'undici 7 request with the redirect interceptor',
      async () => {
        const agent = new undici7.Agent().compose(undici7.interceptors.redirect({ maxRedirections: 2 }));
        try {
          const r = await undici7.request(`${b.url}/redirect`, { dispatcher: agent });
          return await r.body.text();
        } finally {
          await agent.close();
        }
      },
    ],
  ])('%s', async (_name, follow) => {
    const { root, error } = await traced(async () => expect(await follow()).toBe('hello from B'));
    expect(error).toBeUndefined();
    const { records, spans } = await outboundUnder(root, 2);
    const hop1 = records.find((r) => r.path === '/redirect');
    const hop2 = records.find((r) => r.path === '/ok');
    expect(hop1).toMatchObject({ statusCode: 302, traceId: root.traceId });
    expect(hop2).toMatchObject({ statusCode: 200, traceId: root.traceId });
    expect(spans.every((s) => s.status === 'ok' && s.parentSpanId === root.spanId)).toBe(true);
    // B saw each hop with that hop's client span as parent.
    const parents = b.received.map((r) => String(r.headers.traceparent).split('-')[2]);
    expect(parents).toEqual([hop1.spanId, hop2.spanId]);
  });
});

describe('aborted requests', () => {
  it.each([
    ['global fetch', (url: string, signal: AbortSignal) => fetch(url, { signal }).then((r) => r.text())],
    [
      'undici 7 request',
      (url: string, signal: AbortSignal) => undici7.request(url, { signal }).then((r) => r.body.text()),
    ],
  ])('%s: status 0, metadata.aborted, span error', async (_name, go) => {
    const ac = new AbortController();
    const { root, error } = await traced(async () => {
      const p = go(`${b.url}/hang`, ac.signal);
      await until(() => b.received.length > 0);
      ac.abort();
      await p;
    });
    expect(error).toBeDefined();
    const { records, spans } = await outboundUnder(root, 1);
    expect(records[0]).toMatchObject({ statusCode: 0, path: '/hang', metadata: { aborted: true } });
    expect(spans[0]).toMatchObject({ status: 'error', tags: { 'http.aborted': 'true' } });
  });
});

describe('a response cut off mid-body', () => {
  it('keeps the status received and records the failure', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.destroy(), 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const { root, error } = await traced(async () => {
        const r = await undici7.request(`http://127.0.0.1:${port}/cut`);
        await r.body.text();
      });
      expect(error).toBeDefined();
      const { records, spans } = await outboundUnder(root, 1);
      expect(records[0]).toMatchObject({ statusCode: 200, responseSize: 100 });
      expect(records[0].metadata.error).toMatch(/^(UND_ERR_SOCKET|ECONNRESET)$/);
      expect(spans[0].status).toBe('error');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('timeouts', () => {
  it('undici headersTimeout: status 0 and the undici error code', async () => {
    const { root, error } = await traced(() => undici7.request(`${b.url}/hang`, { headersTimeout: 50 }));
    expect((error as { code?: string }).code).toBe('UND_ERR_HEADERS_TIMEOUT');
    const { records, spans } = await outboundUnder(root, 1);
    expect(records[0]).toMatchObject({ statusCode: 0, metadata: { error: 'UND_ERR_HEADERS_TIMEOUT' } });
    expect(spans[0]).toMatchObject({ status: 'error', tags: { 'error.type': 'UND_ERR_HEADERS_TIMEOUT' } });
  });

  it('fetch with AbortSignal.timeout: status 0 and TimeoutError', async () => {
    const { root, error } = await traced(() => fetch(`${b.url}/hang`, { signal: AbortSignal.timeout(50) }));
    expect((error as Error).name).toBe('TimeoutError');
    const { records, spans } = await outboundUnder(root, 1);
    expect(records[0]).toMatchObject({ statusCode: 0, metadata: { error: 'TimeoutError' } });
    expect(spans[0].status).toBe('error');
  });
});

type Failing = (url: string, dns: boolean) => Promise<unknown>;
const FAILING: [string, Failing][] = [
  ['global fetch', (url, dns) => fetch(url, (dns ? { dispatcher: dns6 } : {}) as RequestInit)],
  ['undici 7 request', (url, dns) => undici7.request(url, dns ? { dispatcher: dns7 } : {})],
  ['undici 7 fetch', (url, dns) => undici7.fetch(url, dns ? { dispatcher: dns7 } : {})],
  ['undici 6 request', (url, dns) => undici6.request(url, dns ? { dispatcher: dns6 } : {})],
  ['http.request', (url, dns) => httpGet(url, dns ? { lookup: failingLookup } : {})],
];

describe.each(FAILING)('%s network failures', (_name, go) => {
  it('connection refused: status 0, metadata.error ECONNREFUSED, span error', async () => {
    const { root, error } = await traced(() => go(`http://127.0.0.1:${refusedPort}/x?q=1`, false));
    expect(error).toBeDefined();
    const { records, spans } = await outboundUnder(root, 1);
    expect(records[0]).toMatchObject({
      host: `127.0.0.1:${refusedPort}`,
      path: '/x',
      statusCode: 0,
      metadata: { error: 'ECONNREFUSED' },
    });
    expect(spans[0]).toMatchObject({ status: 'error', tags: { 'error.type': 'ECONNREFUSED' } });
  });

  it('DNS failure (.invalid, failing lookup): status 0, metadata.error ENOTFOUND', async () => {
    const { root, error } = await traced(() => go('http://service.invalid/x', true));
    expect(error).toBeDefined();
    const { records, spans } = await outboundUnder(root, 1);
    expect(records[0]).toMatchObject({
      host: 'service.invalid',
      path: '/x',
      statusCode: 0,
      metadata: { error: 'ENOTFOUND' },
    });
    expect(spans[0]).toMatchObject({ status: 'error', description: 'GET service.invalid/x' });
  });
});
