import https from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHttpExecutor } from '../src/transport/http-executor.js';
import type { TransportRequest } from '../src/transport/types.js';

/**
 * `https:` URLs go over node:tls: certificate checks on by default (`rejectUnauthorized`),
 * SNI with the URL's host name, keep-alive and session resumption like an https agent's.
 *
 * The certificate is a test-only self-signed one for localhost and 127.0.0.1 (EC P-256, valid
 * 2026-2126), made once with `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1
 * -nodes -days 36500 -subj /CN=localhost -addext "subjectAltName=DNS:localhost,IP:127.0.0.1"`.
 * It is inlined so the test needs no openssl at run time; it protects nothing.
 */
const CERT = `-----BEGIN CERTIFICATE-----
MIIBnDCCAUGgAwIBAgIUIWzNOEvLADbScD+meyGC850SAokwCgYIKoZIzj0EAwIw
FDESMBAGA1UEAwwJbG9jYWxob3N0MCAXDTI2MTEyMzE0MzgyNVoYDzIxMjYxMDMw
MTQzODI1WjAUMRIwEAYDVQQDDAlsb2NhbGhvc3QwWTATBgcqhkjOPQIBBggqhkjO
PQMBBwNCAAT7rcD8kGcXcz6JllhmwIN505HeiG9iYnsCs9Wlr+x31/177VBuIqqD
skAYduuCv3czFuEy7aft2RCtaumWPf2oo28wbTAdBgNVHQ4EFgQUlYCc+ivRFyFh
NZ9oy1Guzuv/u/0wHwYDVR0jBBgwFoAUlYCc+ivRFyFhNZ9oy1Guzuv/u/0wDwYD
VR0TAQH/BAUwAwEB/zAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8AAAEwCgYIKoZI
zj0EAwIDSQAwRgIhAKDA6cExMNKCg37GxyynMUNpR3R/3qnCyCBF39m9UCTiAiEA
6odoRlEIuYx9zqjqnVG0gyRksQQ1lX+Zp7LWu4euhFc=
-----END CERTIFICATE-----
`;
const KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgUapO69/a4qXKPcRW
4+nPYVUaEt9LLQTCNgmxueOGn46hRANCAAT7rcD8kGcXcz6JllhmwIN505HeiG9i
YnsCs9Wlr+x31/177VBuIqqDskAYduuCv3czFuEy7aft2RCtaumWPf2o
-----END PRIVATE KEY-----
`;

const API_KEY = 'sk_live_tls_secret_value';

interface Seen {
  body: Buffer;
  socket: TLSSocket;
}

let server: https.Server;
let port: number;
let seen: Seen[];
let servernames: (string | false)[];
let resumed: boolean[];

beforeEach(async () => {
  seen = [];
  servernames = [];
  resumed = [];
  server = https.createServer({ cert: CERT, key: KEY_PEM }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ body: Buffer.concat(chunks), socket: req.socket as TLSSocket });
      if (req.url === '/chunked') {
        res.write('chunked ');
        res.end('over tls');
      } else if (req.url === '/hang') {
        (req.socket as TLSSocket).unref();
      } else res.end('{}');
    });
  });
  server.on('secureConnection', (s: TLSSocket) => {
    servernames.push((s as TLSSocket & { servername: string | false }).servername);
    resumed.push(s.isSessionReused());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const post = (
  host: string,
  path = '/ingest/v1/logs',
  body: string | Uint8Array = '{}',
): TransportRequest => ({
  url: `https://${host}:${port}${path}`,
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-allstak-key': API_KEY },
  body,
});

describe('https', () => {
  it('verifies certificates by default and with rejectUnauthorized: true', async () => {
    for (const exec of [createHttpExecutor(), createHttpExecutor({ rejectUnauthorized: true })]) {
      const err = (await exec(post('127.0.0.1')).catch((e: unknown) => e)) as Error & { code?: string };
      expect(err).toBeInstanceOf(Error);
      // Self-signed (or, on a machine whose clock is behind, not yet valid): never accepted.
      expect(err.code).toMatch(/SELF_SIGNED|CERT_NOT_YET_VALID/);
      expect(err.message).not.toContain(API_KEY);
    }
    expect(seen).toHaveLength(0);
  });

  it('with rejectUnauthorized: false, sends over one kept-alive TLS socket, bodies intact', async () => {
    const exec = createHttpExecutor({ rejectUnauthorized: false, maxResponseBytes: 100 });
    const packed = gzipSync('{"spans":[]}'.repeat(50));
    expect((await exec(post('127.0.0.1'))).status).toBe(200);
    expect((await exec(post('127.0.0.1', '/chunked'))).body).toBe('chunked over tls');
    await exec(post('127.0.0.1', '/gz', packed));
    expect(seen[2]!.body.equals(packed)).toBe(true);
    expect(new Set(seen.map((s) => s.socket)).size).toBe(1);
    expect(servernames).toEqual([false]); // no SNI for an IP address (RFC 6066)
  });

  it('sends the host name as SNI, and resumes the TLS session on the next socket', async () => {
    const exec = createHttpExecutor({ rejectUnauthorized: false });
    await exec(post('localhost'));
    await Promise.all([exec(post('localhost')), exec(post('localhost'))]);
    expect(servernames).toEqual(['localhost', 'localhost']);
    expect(resumed).toEqual([false, true]);
  });

  it('never keeps the process alive through a TLS socket', async () => {
    const count = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    server.on('secureConnection', (s: TLSSocket) => s.unref());
    server.on('connection', (s: { unref(): void }) => s.unref());
    const exec = createHttpExecutor({ rejectUnauthorized: false, timeoutMs: 300 });
    await new Promise((r) => setTimeout(r, 20));
    const before = count();
    await exec(post('127.0.0.1'));
    const pending = exec(post('127.0.0.1', '/hang')).catch((e: Error) => e.message);
    await new Promise((r) => setTimeout(r, 50));
    expect(seen).toHaveLength(2);
    expect(count()).toBe(before);
    expect(await pending).toBe('Sightline transport: request timed out after 300 ms');
  });
});
