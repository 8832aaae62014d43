import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:http';
import { type Socket, connect } from 'node:net';

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request through node:http (for methods and headers fetch will not send as-is). */
export function httpRequest(
  url: string,
  options: { method?: string; headers?: Record<string, string | string[]>; body?: string } = {},
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Writes a request byte for byte over a socket, so a header can be sent twice on its own lines
 * (no HTTP client API does that). Resolves with the status and the lower-cased response head.
 */
export function rawHttp(port: number, head: string): Promise<{ status: number; head: string }> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      data += c;
      const end = data.indexOf('\r\n\r\n');
      if (end !== -1) {
        socket.destroy();
        resolve({ status: Number(data.slice(9, 12)), head: data.slice(0, end).toLowerCase() });
      }
    });
    socket.on('error', reject);
    socket.write(head);
  });
}

/** A header value from a raw, lower-cased response head. */
export function headerOf(head: string, name: string): string | undefined {
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i) === name) return line.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * Sends a GET, waits until `ready` resolves (the server is handling it), then destroys the
 * socket before any answer: the client gives up early.
 */
export function abortAfter(port: number, path: string, ready: Promise<void>, headers = ''): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.on('error', reject);
    socket.on('close', () => resolve());
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n${headers}\r\n`);
    void ready.then(() => socket.destroy());
  });
}
