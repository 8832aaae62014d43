import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type SightlineOptions, init, runServerRequest, setRequestRoute } from '@sightline/core';
import { type IngestServer, TEST_API_KEY, startIngestServer } from '@sightline/testkit';
import Fastify, { type FastifyRequest } from 'fastify';

export interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
}

export interface Service {
  url: string;
  port: number;
  /** Requests as B saw them, in arrival order. */
  received: Received[];
  close(): Promise<void>;
}

/** A PEM key and certificate for `https.createServer`. */
export interface TlsCert {
  key: string;
  cert: string;
}

/**
 * A self-signed certificate for `localhost`, valid one day, made now with `openssl` in a
 * temporary directory (removed again): nothing secret is kept in the repository.
 */
export async function selfSignedCert(): Promise<TlsCert> {
  const dir = await mkdtemp(join(tmpdir(), 'sightline-undici-tls-'));
  try {
    const key = join(dir, 'k');
    const cert = join(dir, 'c');
    await promisify(execFile)('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/CN=localhost',
      '-days',
      '1',
      '-keyout',
      key,
      '-out',
      cert,
    ]);
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closer(server: http.Server | https.Server): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
}

/**
 * Service B: a bare node:http server on core's `runServerRequest` (no adapter package), with a
 * few routes the tests need: `/ok`, `/status/:code`, `/redirect` (302 to `/ok`), `/delay/:ms`,
 * `/slow` (answers after 2 s, or never when torn down first), `/hang` (never answers).
 * With `tls`, the same service over https (a node:https server).
 */
export async function startServiceB(options: { tls?: TlsCert } = {}): Promise<Service> {
  const received: Received[] = [];
  const handler: http.RequestListener = (req, res) => {
    runServerRequest(req, res, () => {
      received.push({ url: req.url ?? '', headers: req.headers });
      const path = (req.url ?? '/').split('?')[0]!;
      if (path === '/ok') {
        setRequestRoute(req, '/ok');
        res.setHeader('content-type', 'text/plain');
        res.end('hello from B');
      } else if (path.startsWith('/status/')) {
        setRequestRoute(req, '/status/:code');
        res.statusCode = Number(path.slice(8)) || 500;
        res.end('status');
      } else if (path === '/redirect') {
        setRequestRoute(req, '/redirect');
        res.writeHead(302, { location: '/ok' });
        res.end();
      } else if (path === '/slow') {
        setRequestRoute(req, '/slow');
        const t = setTimeout(() => res.end('late'), 2000);
        res.on('close', () => clearTimeout(t));
      } else if (path.startsWith('/delay/')) {
        setRequestRoute(req, '/delay/:ms');
        const t = setTimeout(() => res.end('delayed'), Number(path.slice(7)) || 0);
        res.on('close', () => clearTimeout(t));
      } else if (path === '/hang') {
        setRequestRoute(req, '/hang');
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  };
  const server = options.tls ? https.createServer(options.tls, handler) : http.createServer(handler);
  const port = await listen(server);
  const scheme = options.tls ? 'https' : 'http';
  return { url: `${scheme}://127.0.0.1:${port}`, port, received, close: closer(server) };
}

/**
 * Service A: a Fastify 5 app with core's `runServerRequest` as its `onRequest` hook (no adapter
 * package). `call` is the outbound call under test, made from inside A's request handler; the
 * route answers with what the call returned.
 */
export async function startServiceA(call: (req: FastifyRequest) => Promise<unknown>): Promise<Service> {
  const received: Received[] = [];
  const app = Fastify();
  app.addHook('onRequest', (req, reply, done) => {
    runServerRequest(req.raw, reply.raw, () => done(), { framework: 'fastify' });
  });
  app.get('/call', async (req, reply) => {
    setRequestRoute(req.raw, '/call');
    received.push({ url: req.url, headers: req.headers });
    try {
      return { ok: true, result: await call(req) };
    } catch (err) {
      reply.code(502);
      return { ok: false, error: String((err as Error)?.message ?? err) };
    }
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port, received, close: () => app.close() };
}

export interface Sdk {
  ingest: IngestServer;
  /** Re-runs `init` with these options (the previous client is replaced). */
  init(options?: SightlineOptions): ReturnType<typeof init>;
}

/** A test-kit ingest server and an `init` pointing at it. */
export async function startSdk(): Promise<Sdk> {
  const ingest = await startIngestServer();
  return {
    ingest,
    init: (options) =>
      init({
        apiKey: TEST_API_KEY,
        host: ingest.url,
        flushInterval: 20,
        defaultIntegrations: false,
        release: '1.0.0',
        ...options,
      }),
  };
}

/** A port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  const port = await listen(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A `lookup` that fails like a name that does not resolve, without asking any resolver (a real
 * lookup of a `.invalid` name would still send a query to the system's DNS server).
 */
export const failingLookup: LookupFunction = (hostname, _options, callback) => {
  const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
  err.code = 'ENOTFOUND';
  err.syscall = 'getaddrinfo';
  process.nextTick(callback, err, '', 4);
};

export const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
