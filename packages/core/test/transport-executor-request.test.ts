import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpExecutor } from '../src/transport/http-executor.js';
import type { TransportRequest } from '../src/transport/types.js';

/**
 * What the executor writes: the request line, the Host header, the encoder's headers (checked
 * before anything is sent, since the API key is among them) and the body, byte for byte.
 */

const KEY = 'sk_live_request_secret_value';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  rawHeaders: string[];
  body: Buffer;
}

let server: http.Server;
let base: string;
let port: number;
let seen: Seen[];
let connections: number;

beforeEach(async () => {
  seen = [];
  connections = 0;
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        rawHeaders: req.rawHeaders,
        body: Buffer.concat(chunks),
      });
      res.end('{}');
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const post = (headers: Record<string, string> = {}, body: string | Uint8Array = '{}'): TransportRequest => ({
  url: `${base}/ingest/v1/errors?x=1`,
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-allstak-key': KEY, ...headers },
  body,
});

describe('the request the executor writes', () => {
  it('has the path and query, Host, the headers in order, a Content-Length and keep-alive', async () => {
    await createHttpExecutor()(post({ 'User-Agent': 'sightline-node/1' }));
    const s = seen[0]!;
    expect(s.method).toBe('POST');
    expect(s.url).toBe('/ingest/v1/errors?x=1');
    expect(s.rawHeaders).toEqual([
      'Host',
      `127.0.0.1:${port}`,
      'content-type',
      'application/json',
      'x-allstak-key',
      KEY,
      'User-Agent',
      'sightline-node/1',
      'Content-Length',
      '2',
      'Connection',
      'keep-alive',
    ]);
  });

  it('sends gzip and other binary bodies byte for byte, and multi-byte strings as UTF-8', async () => {
    const exec = createHttpExecutor();
    const packed = gzipSync(JSON.stringify({ spans: Array.from({ length: 200 }, (_, i) => ({ i })) }));
    const random = randomBytes(70_000); // larger than a socket write usually takes at once
    const text = '{"m":"é ✓ 𝄞"}';
    await exec(post({ 'content-encoding': 'gzip' }, packed));
    await exec(post({}, random));
    await exec(post({}, text));
    await exec(post({}, new Uint8Array(0)));
    expect(seen[0]!.body.equals(packed)).toBe(true);
    expect(seen[0]!.headers['content-length']).toBe(String(packed.length));
    expect(seen[1]!.body.equals(random)).toBe(true);
    expect(seen[2]!.body.toString('utf8')).toBe(text);
    expect(seen[2]!.headers['content-length']).toBe(String(Buffer.byteLength(text)));
    expect(seen[3]!.headers['content-length']).toBe('0');
    expect(connections).toBe(1);
  });

  it('sends latin1 header values as latin1 beside a UTF-8 body', async () => {
    await createHttpExecutor()(post({ 'x-name': 'café' }, '"ü"'));
    expect(Buffer.from(seen[0]!.headers['x-name'] as string, 'latin1').toString('latin1')).toBe('café');
    expect(seen[0]!.body.toString('utf8')).toBe('"ü"');
  });

  it('follows header changes between requests to the same URL, and PUT', async () => {
    const exec = createHttpExecutor();
    await exec(post({ 'x-n': '1' }));
    await exec(post({ 'x-n': '2' }));
    await exec(post({}));
    await exec({ ...post({ 'x-n': '3' }), method: 'PUT' });
    expect(seen.map((s) => [s.method, s.headers['x-n']])).toEqual([
      ['POST', '1'],
      ['POST', '2'],
      ['POST', undefined],
      ['PUT', '3'],
    ]);
  });

  it('writes framing headers itself, and takes Host and URL credentials as node:http does', async () => {
    const exec = createHttpExecutor();
    await exec(post({ 'Content-Length': '999', Connection: 'close', 'Transfer-Encoding': 'chunked' }));
    expect(seen[0]!.headers['content-length']).toBe('2');
    expect(seen[0]!.headers.connection).toBe('keep-alive');
    expect(seen[0]!.headers['transfer-encoding']).toBeUndefined();
    await exec(post({ host: 'ingest.example' }));
    expect(seen[1]!.headers.host).toBe('ingest.example');
    await exec({ ...post(), url: `http://us%40er:p%3Ass@127.0.0.1:${port}/x` });
    expect(seen[2]!.headers.authorization).toBe(`Basic ${Buffer.from('us@er:p:ss').toString('base64')}`);
    await exec({ ...post({ authorization: 'Bearer t' }), url: `http://u:p@127.0.0.1:${port}/x` });
    expect(seen[3]!.headers.authorization).toBe('Bearer t');
  });
});

describe('headers that cannot be sent', () => {
  const bad: [string, Record<string, string>, RegExp][] = [
    ['CRLF in a value', { 'x-evil': `a\r\nx-injected: ${KEY}` }, /invalid value for header x-evil/],
    ['LF in a value', { 'x-evil': `${KEY}\n` }, /invalid value for header x-evil/],
    ['NUL in a value', { 'x-evil': `${KEY}\0` }, /invalid value for header x-evil/],
    ['a character beyond latin1', { 'x-evil': `${KEY}€` }, /invalid value for header x-evil/],
    ['CRLF in a name', { [`x-a\r\nx-b: ${KEY}`]: 'v' }, /invalid header name/],
    ['a space in a name', { 'x a': KEY }, /invalid header name/],
    ['a colon in a name', { 'x:a': KEY }, /invalid header name/],
    ['an empty name', { '': KEY }, /invalid header name/],
  ];
  it.each(bad)('rejects %s without sending anything or echoing the key', async (_name, headers, message) => {
    const exec = createHttpExecutor();
    const err = (await exec(post(headers)).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain(KEY);
    expect(err.message).not.toContain('x-injected');
    expect(connections).toBe(0);
    expect((await exec(post())).status).toBe(200); // and the next good request still goes out
    expect(seen).toHaveLength(1);
    expect(seen[0]!.headers['x-injected']).toBeUndefined();
  });
});

describe('errors', () => {
  it('keep the code of network errors (the transport classifies on it)', async () => {
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const free = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const err = (await createHttpExecutor()({ ...post(), url: `http://127.0.0.1:${free}/x` }).catch(
      (e: unknown) => e,
    )) as Error & { code?: string };
    expect(err.code).toBe('ECONNREFUSED');
    expect(err.message).not.toContain(KEY);
  });

  it('reject bad ports, methods and bodies without connecting, never throwing', async () => {
    const exec = createHttpExecutor();
    const noBody = exec({ ...post(), body: undefined as never });
    expect(noBody).toBeInstanceOf(Promise);
    await expect(noBody).rejects.toThrow(/must be a string or bytes/);
    await expect(exec({ ...post(), body: new ArrayBuffer(2) as never })).rejects.toThrow(/string or bytes/);
    await expect(exec({ ...post(), url: 'http://127.0.0.1:0/x' })).rejects.toThrow();
    await expect(exec({ ...post(), method: 'GET' as 'POST' })).rejects.toThrow(/unsupported method/);
    expect(connections).toBe(0);
  });

  it('validate every option', () => {
    expect(() => createHttpExecutor({ timeoutMs: -1 })).toThrow(
      'Invalid `timeoutMs`: must be a positive number of milliseconds',
    );
    expect(() => createHttpExecutor({ timeoutMs: Number.POSITIVE_INFINITY })).toThrow(/`timeoutMs`/);
    expect(() => createHttpExecutor({ rejectUnauthorized: 1 as never })).toThrow(
      'Invalid `rejectUnauthorized`: must be a boolean',
    );
    expect(() => createHttpExecutor({ maxResponseBytes: 1.5 })).toThrow(
      'Invalid `maxResponseBytes`: must be a non-negative integer',
    );
    expect(() => createHttpExecutor({ maxResponseBytes: -1 })).toThrow(/`maxResponseBytes`/);
    expect(typeof createHttpExecutor({ timeoutMs: 1, rejectUnauthorized: false, maxResponseBytes: 0 })).toBe(
      'function',
    );
  });
});
