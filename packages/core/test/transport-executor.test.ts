import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpExecutor } from '../src/transport/http-executor.js';

/**
 * The default executor against a bare node:http server: it is the layer below the AllStak
 * wire format, so these tests look at sockets, statuses and timeouts rather than payloads.
 */

const KEY = 'sk_live_executor_secret_value';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  remotePort: number;
}

let server: http.Server;
let base: string;
let seen: Seen[];
let handler: (req: http.IncomingMessage, res: http.ServerResponse) => void;

beforeEach(async () => {
  seen = [];
  handler = (_req, res) => res.end('ignored body');
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        remotePort: req.socket.remotePort ?? 0,
      });
      handler(req, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const post = (path: string, body: string | Uint8Array, headers: Record<string, string> = {}) => ({
  url: `${base}${path}`,
  method: 'POST' as const,
  headers: { 'content-type': 'application/json', 'x-allstak-key': KEY, ...headers },
  body,
});

describe('createHttpExecutor', () => {
  it('sends method, path, headers and body with a content-length', async () => {
    const exec = createHttpExecutor();
    const res = await exec(post('/ingest/v1/errors', '{"a":"é"}'));
    expect(res.status).toBe(200);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/ingest/v1/errors' });
    expect(seen[0]?.headers['x-allstak-key']).toBe(KEY);
    expect(seen[0]?.headers['content-length']).toBe(String(Buffer.byteLength('{"a":"é"}')));
    expect(seen[0]?.body.toString()).toBe('{"a":"é"}');
  });

  it('sends binary (gzipped) bodies untouched', async () => {
    const exec = createHttpExecutor();
    const { gzipSync } = await import('node:zlib');
    const packed = gzipSync('{"spans":[]}');
    await exec(post('/ingest/v1/spans', packed, { 'content-encoding': 'gzip' }));
    expect(seen[0]?.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(seen[0]!.body).toString()).toBe('{"spans":[]}');
  });

  it('resolves any status with lower-case response headers', async () => {
    handler = (_req, res) => {
      res.writeHead(429, { 'Retry-After': '7', 'X-Thing': 'a' });
      res.end('slow down');
    };
    const res = await createHttpExecutor()(post('/x', '{}'));
    expect(res.status).toBe(429);
    expect(res.headers['retry-after']).toBe('7');
    expect(res.headers['x-thing']).toBe('a');
  });

  it('reuses a keep-alive connection for sequential requests', async () => {
    const exec = createHttpExecutor();
    for (let i = 0; i < 3; i++) await exec(post('/k', '{}'));
    expect(new Set(seen.map((s) => s.remotePort)).size).toBe(1);
  });

  it('rejects with a clear error after timeoutMs', async () => {
    handler = () => {
      /* never answers */
    };
    const exec = createHttpExecutor({ timeoutMs: 80 });
    const start = Date.now();
    await expect(exec(post('/hang', '{}'))).rejects.toThrow(/timed out after 80 ms/);
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('times out a response whose body never ends', async () => {
    handler = (_req, res) => {
      res.writeHead(200);
      res.write('partial');
    };
    await expect(createHttpExecutor({ timeoutMs: 80 })(post('/slow-body', '{}'))).rejects.toThrow(
      /timed out/,
    );
  });

  it('rejects on a reset connection and on a garbage response, without leaking headers', async () => {
    handler = (req) => req.socket.destroy();
    const errors: unknown[] = [];
    await createHttpExecutor()(post('/reset', '{}')).catch((e) => errors.push(e));
    handler = (req) => req.socket.end('NOT HTTP AT ALL\r\n\r\n');
    await createHttpExecutor()(post('/garbage', '{}')).catch((e) => errors.push(e));
    expect(errors).toHaveLength(2);
    for (const e of errors) {
      expect(e).toBeInstanceOf(Error);
      expect(String((e as Error).message)).not.toContain(KEY);
      expect(JSON.stringify(e)).not.toContain(KEY);
    }
  });

  it('rejects when nothing listens', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const req = { ...post('/x', '{}'), url: `http://127.0.0.1:${port}/x` };
    await expect(createHttpExecutor()(req)).rejects.toThrow(/ECONNREFUSED/);
  });

  it('rejects bad URLs without echoing them (they may carry the key)', async () => {
    const exec = createHttpExecutor();
    const bad = { ...post('/x', '{}'), url: `not a url ${KEY}` };
    await expect(exec(bad)).rejects.toThrow(/invalid request URL/);
    await expect(exec(bad)).rejects.not.toThrow(KEY);
    await expect(exec({ ...bad, url: `ftp://${KEY}@127.0.0.1/` })).rejects.toThrow(
      /unsupported protocol ftp:/,
    );
  });

  it('unrefs the socket of an in-flight request, also when the agent reuses it', async () => {
    const exec = createHttpExecutor({ timeoutMs: 300 });
    // The server's end of each connection is unref'd, so only a client socket could show.
    handler = (req, res) => {
      req.socket.unref();
      res.end();
    };
    await exec(post('/warm', '{}')); // leaves an idle keep-alive socket, which the agent re-refs on reuse
    handler = (req) => req.socket.unref(); // and now hang
    const count = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    await new Promise((r) => setTimeout(r, 20)); // let sockets of earlier tests finish closing
    const before = count();
    const pending = exec(post('/hang', '{}')).catch(() => 'rejected');
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(2);
    expect(seen[1]?.remotePort).toBe(seen[0]?.remotePort); // same socket, reused
    expect(count()).toBe(before);
    expect(await pending).toBe('rejected');
  });

  it('validates its options', () => {
    expect(() => createHttpExecutor({ timeoutMs: 0 })).toThrow(/`timeoutMs`/);
    expect(() => createHttpExecutor({ rejectUnauthorized: 'no' as never })).toThrow(/`rejectUnauthorized`/);
  });
});
