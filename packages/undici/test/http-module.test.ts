import dc from 'node:diagnostics_channel';
import { errorMonitor } from 'node:events';
import http from 'node:http';
import { type Client, type Span, startSpan } from '@sightline/core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type OutboundHttpHandle, instrumentOutboundHttp } from '../src/index.js';
import { httpGet } from './helpers/callers.js';
import { type Sdk, type Service, TRACEPARENT, startSdk, startServiceB } from './helpers/services.js';

/** `http.request` through the `http.client.*` channels. */

let sdk: Sdk;
let client: Client;
let b: Service;
let handle: OutboundHttpHandle;
// Feature detection (STYLE rule 21): Node >= 22.12 publishes `http.client.request.created` from
// the ClientRequest constructor, before any header is written; only then can headers be injected.
let createdPublished = false;
const onCreated = () => {
  createdPublished = true;
};

beforeAll(async () => {
  sdk = await startSdk();
  client = sdk.init();
  handle = instrumentOutboundHttp();
  b = await startServiceB();
  dc.subscribe('http.client.request.created', onCreated);
});

afterAll(async () => {
  dc.unsubscribe('http.client.request.created', onCreated);
  handle.disable();
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

async function underRoot(fn: () => Promise<unknown>): Promise<Span> {
  let root: Span | undefined;
  await startSpan({ name: 'root' }, (span) => {
    root = span;
    return fn();
  });
  return root!;
}

describe('http.request', () => {
  it('gets a client span and an outbound record under the active span', async () => {
    const root = await underRoot(async () => {
      expect(await httpGet(`${b.url}/ok?x=1`)).toEqual({ status: 200, body: 'hello from B' });
    });
    const mine = (r: any[]) => r.filter((x) => x.direction === 'outbound' && x.parentSpanId === root.spanId);
    const [out] = mine(await sdk.ingest.waitFor('http-requests', (r) => mine(r).length === 1));
    expect(out).toMatchObject({
      method: 'GET',
      host: `127.0.0.1:${b.port}`,
      path: '/ok',
      statusCode: 200,
      traceId: root.traceId,
      responseSize: 12,
    });
    const spans = await sdk.ingest.waitFor('spans', (s) => s.some((x: any) => x.spanId === out.spanId));
    expect(spans.find((s) => s.spanId === out.spanId)).toMatchObject({
      operation: 'http.client',
      description: `GET 127.0.0.1:${b.port}/ok`,
      parentSpanId: root.spanId,
      status: 'ok',
      tags: { 'span.kind': 'client', 'http.library': 'http' },
    });

    const tp = b.received[0]!.headers.traceparent;
    if (createdPublished) {
      expect(TRACEPARENT.exec(String(tp))?.slice(1, 3)).toEqual([root.traceId, out.spanId]);
    } else {
      // Node 20: `http.client.request.start` comes after the headers are written; none injected.
      expect(tp).toBeUndefined();
    }
  });

  it('marks a 5xx answer as an error', async () => {
    const root = await underRoot(() => httpGet(`${b.url}/status/502`));
    const mine = (r: any[]) => r.filter((x) => x.direction === 'outbound' && x.parentSpanId === root.spanId);
    const [out] = mine(await sdk.ingest.waitFor('http-requests', (r) => mine(r).length === 1));
    expect(out.statusCode).toBe(502);
    const spans = await sdk.ingest.waitFor('spans', (s) => s.some((x: any) => x.spanId === out.spanId));
    expect(spans.find((s) => s.spanId === out.spanId).status).toBe('error');
  });

  it('records a response cut off mid-body as aborted', async () => {
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.destroy(), 20);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const root = await underRoot(() => httpGet(`http://127.0.0.1:${port}/cut`).catch(() => undefined));
      const mine = (r: any[]) =>
        r.filter((x) => x.direction === 'outbound' && x.parentSpanId === root.spanId);
      const [out] = mine(await sdk.ingest.waitFor('http-requests', (r) => mine(r).length === 1));
      expect(out).toMatchObject({ statusCode: 200, responseSize: 100, metadata: { aborted: true } });
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });

  it("observes errors through errorMonitor, never as an 'error' listener", async () => {
    // An app without an 'error' listener must still crash on a request error: our listener must
    // not count as handling it.
    const seen: number[][] = [];
    const spy = (message: unknown) => {
      const req = (message as { request: http.ClientRequest }).request;
      seen.push([req.listenerCount('error'), req.listenerCount(errorMonitor)]);
    };
    dc.subscribe('http.client.request.start', spy);
    try {
      await underRoot(async () => {
        await new Promise<void>((resolve) => {
          http.get(`${b.url}/ok`, (res) => {
            res.resume();
            res.on('end', resolve);
          });
        });
      });
    } finally {
      dc.unsubscribe('http.client.request.start', spy);
    }
    expect(seen).toEqual([[0, 1]]);
  });
});
