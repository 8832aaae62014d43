import { type IncomingHttpHeaders, type Server, request } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';

/** A server listening on loopback, as {@link listen} returns it. */
export interface Listening {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** Stops listening and drops open (keep-alive) sockets. */
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1:0 (unless the server already listens); `close` also drops keep-alive
 * sockets so teardown never hangs.
 * @example
 * const app = await listen(createServer(handler));
 * await fetch(`${app.url}/users/1`);
 * await app.close();
 */
export async function listen(server: Server): Promise<Listening> {
  if (!server.listening) {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  }
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A whole answer read by {@link httpRequest}. */
export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body as UTF-8 text. */
  body: string;
}

/**
 * One request through node:http, without keep-alive (for methods and headers `fetch` will not
 * send as-is).
 * @example
 * const res = await httpRequest(`${app.url}/users/9`, { headers: { traceparent: '' } });
 */
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
 * (`traceparent` repeated), which no HTTP client API does. Resolves with the status and the
 * lower-cased response head once the head arrived.
 * @example
 * const res = await rawHttp(app.port, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
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

/**
 * A header value from a lower-cased raw response head ({@link rawHttp}); `name` lower-case.
 * @example
 * headerOf(res.head, 'x-allstak-trace-id');
 */
export function headerOf(head: string, name: string): string | undefined {
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0 && line.slice(0, i) === name) return line.slice(i + 1).trim();
  }
  return undefined;
}

/**
 * Sends a GET, waits until `ready` resolves (the server is handling it), then destroys the
 * socket before any answer: the client gives up early. `headers` are extra raw header lines,
 * each ending in `\r\n`.
 * @example
 * await abortAfter(app.port, '/wait', gate.waiting);
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

/**
 * Sends a GET through node:http and gives up early: destroys the request once `waiting`
 * resolves (the handler is holding), or, with `afterFirstChunk`, once the first body chunk
 * arrived (the response has started). Resolves when the request closed, never rejects.
 * @example
 * await abandonRequest(`${app.url}/stream-forever`, gate.waiting, true);
 */
export function abandonRequest(url: string, waiting: Promise<void>, afterFirstChunk = false): Promise<void> {
  return new Promise((resolve) => {
    const req = request(url, { agent: false });
    req.on('error', () => resolve());
    req.on('close', () => resolve());
    if (afterFirstChunk) {
      req.on('response', (res) => res.once('data', () => req.destroy()));
    } else {
      void waiting.then(() => req.destroy());
    }
    req.end();
  });
}
