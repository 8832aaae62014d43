import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request as it arrived (body gunzipped when it was sent gzipped). */
export interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  gzipped: boolean;
  at: number;
}

/** What the receiver answers; by default 200 with `defaultBody`. */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Receiver {
  readonly url: string;
  readonly requests: Received[];
  /** Answers the next requests with these replies, in order, then falls back to 200. */
  queue(...replies: Reply[]): void;
  /** Resolves with the requests to `path` once `count` arrived (rejects after `timeoutMs`). */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<Received[]>;
  stop(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1:0 standing in for a backend (OTLP collector, Datadog agent). */
export async function startReceiver(defaultBody = '{}'): Promise<Receiver> {
  const requests: Received[] = [];
  const replies: Reply[] = [];
  const sockets = new Set<Socket>();
  const waiters = new Set<() => void>();
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const gzipped = req.headers['content-encoding'] === 'gzip';
      if (gzipped) body = gunzipSync(body);
      const reply = replies.shift();
      // Only accepted requests count as received: failures are what the sender must retry.
      if (!reply || (reply.status >= 200 && reply.status < 300)) {
        requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, gzipped, at: Date.now() });
        for (const w of waiters) w();
      }
      res.writeHead(reply?.status ?? 200, { 'content-type': 'application/json', ...reply?.headers });
      res.end(reply?.body ?? defaultBody);
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    queue: (...r) => replies.push(...r),
    waitFor(path, count, timeoutMs = 5000) {
      const matching = () => requests.filter((r) => r.path === path);
      return new Promise((resolve, reject) => {
        const check = () => {
          const m = matching();
          if (m.length >= count) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`waited ${timeoutMs} ms for ${count} request(s) to ${path}, got ${matching().length}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop() {
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
