import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HttpClient, type HttpClientSettings } from '../src/transport/http-client.js';
import { createHttpExecutor } from '../src/transport/http-executor.js';
import type { TransportRequest } from '../src/transport/types.js';

/**
 * The executor's connection pool against node:http servers: the per-origin cap and its FIFO
 * queue, reuse, idle expiry, and that no socket of it keeps the process alive. Socket identity
 * is read on the server (`req.socket`), so nothing here trusts the client's own bookkeeping.
 */

interface Held {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  body: string;
}

let server: http.Server;
let base: string;
let held: Held[];
let sockets: Set<Socket>;
let closedSockets: number;
/** Answer at once (true) or hold every response until the test releases it. */
let answer: boolean;

beforeEach(async () => {
  held = [];
  sockets = new Set();
  closedSockets = 0;
  answer = true;
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      if (answer) res.end('{}');
      else held.push({ req, res, body });
    });
  });
  // Bound to this test's server: closes of an earlier test's sockets must not count here.
  const mine = sockets;
  server.on('connection', (s: Socket) => {
    mine.add(s);
    s.on('close', () => {
      if (mine === sockets) closedSockets++;
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const post = (body = '{}', url = `${base}/ingest/v1/logs`): TransportRequest => ({
  url,
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-allstak-key': 'k' },
  body,
});
const client = (settings: Partial<HttpClientSettings> = {}) =>
  new HttpClient({
    timeoutMs: 2000,
    maxResponseBytes: 0,
    rejectUnauthorized: undefined,
    maxSockets: 16,
    idleMs: 30_000,
    staleAfterMs: 1000,
    ...settings,
  });

async function until(cond: () => boolean, timeoutMs = 2000): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error('condition not met in time');
    await sleep(2);
  }
}

describe('the connection pool', () => {
  it('carries sequential requests on one socket', async () => {
    const exec = createHttpExecutor();
    for (let i = 0; i < 20; i++) expect((await exec(post())).status).toBe(200);
    expect(sockets.size).toBe(1);
  });

  it('opens at most 16 sockets per origin and queues the rest first-in first-out', async () => {
    answer = false;
    const exec = createHttpExecutor();
    const results = Array.from({ length: 24 }, (_, i) => exec(post(`r${i}`)));
    await until(() => held.length === 16);
    await sleep(30);
    expect(held).toHaveLength(16);
    expect(sockets.size).toBe(16);
    // One request per socket at a time: no pipelining.
    expect(new Set(held.map((h) => h.req.socket)).size).toBe(16);
    answer = true;
    for (const h of held.splice(0)) h.res.end('{}');
    expect((await Promise.all(results)).map((r) => r.status)).toEqual(Array(24).fill(200));
    expect(sockets.size).toBe(16);
  });

  it('serves queued requests in order as sockets free up', async () => {
    answer = false;
    const c = client({ maxSockets: 2 });
    const results = Array.from({ length: 6 }, (_, i) => c.request(post(`r${i}`)));
    const order: string[] = [];
    while (order.length < 6) {
      await until(() => held.length > 0);
      const h = held.shift()!;
      order.push(h.body);
      h.res.end('{}');
    }
    await Promise.all(results);
    expect(order).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
    expect(sockets.size).toBe(2);
  });

  it('times out a request still waiting for a socket, and never sends it', async () => {
    answer = false;
    const c = client({ maxSockets: 1, timeoutMs: 80 });
    const first = c.request(post('first')).catch((e: Error) => e.message);
    const queued = c.request(post('queued')).catch((e: Error) => e.message);
    expect(await queued).toBe('Sightline transport: request timed out after 80 ms');
    expect(await first).toMatch(/timed out after 80 ms/);
    answer = true;
    expect((await c.request(post('after'))).status).toBe(200);
    await sleep(20);
    expect(held.map((h) => h.body)).toEqual(['first']);
  });

  it('keeps one pool per origin', async () => {
    const other = http.createServer((_req, res) => res.end());
    const otherSockets = new Set<Socket>();
    other.on('connection', (s: Socket) => otherSockets.add(s));
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', r));
    try {
      const otherUrl = `http://127.0.0.1:${(other.address() as AddressInfo).port}/x`;
      const exec = createHttpExecutor();
      for (let i = 0; i < 3; i++) {
        await exec(post());
        await exec(post('{}', `${base}/another/path?q=1`));
        await exec(post('{}', otherUrl));
      }
      expect(sockets.size).toBe(1);
      expect(otherSockets.size).toBe(1);
    } finally {
      other.closeAllConnections();
      await new Promise((r) => other.close(r));
    }
  });

  it('closes sockets idle for idleMs, then connects again', async () => {
    const c = client({ idleMs: 40 });
    await c.request(post());
    await Promise.all([c.request(post()), c.request(post())]);
    expect(sockets.size).toBe(2);
    await until(() => closedSockets === 2, 1000);
    expect((await c.request(post())).status).toBe(200);
    expect(sockets.size).toBe(3);
  });

  it('keeps busy sockets, and re-arms the sweep for sockets that went idle later', async () => {
    const c = client({ idleMs: 60 });
    await c.request(post());
    answer = false;
    const slow = c.request(post('slow')); // takes the idle socket
    await until(() => held.length === 1);
    await sleep(100); // well past idleMs, but the socket is busy
    expect(closedSockets).toBe(0);
    held.shift()!.res.end('{}');
    await slow;
    await until(() => closedSockets === 1, 1000);
    expect(sockets.size).toBe(1);
  });

  it('never keeps the process alive: busy and idle sockets are unref’d', async () => {
    const count = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    server.on('connection', (s: Socket) => s.unref()); // only client sockets may show
    const exec = createHttpExecutor({ timeoutMs: 300 });
    await sleep(20); // let sockets of earlier tests finish closing
    const before = count();
    await exec(post());
    expect(count()).toBe(before); // idle
    answer = false;
    const pending = exec(post()).catch(() => 'rejected');
    const fresh = exec(post()).catch(() => 'rejected'); // on a new socket, while connecting
    expect(count()).toBe(before);
    await until(() => held.length === 2);
    expect(count()).toBe(before); // in flight
    expect([await pending, await fresh]).toEqual(['rejected', 'rejected']);
  });
});
