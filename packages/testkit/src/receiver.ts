import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { listen } from './http-client.js';

/** One request as it arrived at a {@link Receiver} (body gunzipped when it was sent gzipped). */
export interface ReceiverRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  gzipped: boolean;
  /** `Date.now()` when the body was complete. */
  at: number;
}

/** What a {@link Receiver} answers with instead of its default 200. */
export interface ReceiverReply {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** A recording HTTP server, as {@link startReceiver} returns it. */
export interface Receiver {
  readonly url: string;
  /** Accepted (2xx) requests, in arrival order. */
  readonly requests: ReceiverRequest[];
  /** Answers the next requests with these replies, in order, then falls back to 200. */
  queue(...replies: ReceiverReply[]): void;
  /** Resolves with the requests to `path` once `count` arrived (rejects after `timeoutMs`, default 5000). */
  waitFor(path: string, count: number, timeoutMs?: number): Promise<ReceiverRequest[]>;
  /** Drops open sockets and stops listening. */
  stop(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1:0 standing in for a third-party backend (OTLP collector,
 * Datadog agent): it records every request, whatever its path, and answers 200 with
 * `defaultBody` (`application/json`) unless a queued reply says otherwise. Only accepted (2xx)
 * requests are recorded: failures are what the sender must retry.
 * @example
 * const agent = await startReceiver();
 * agent.queue({ status: 503 });
 * const [req] = await agent.waitFor('/v0.4/traces', 1);
 * await agent.stop();
 */
export async function startReceiver(defaultBody = '{}'): Promise<Receiver> {
  const requests: ReceiverRequest[] = [];
  const replies: ReceiverReply[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      const gzipped = req.headers['content-encoding'] === 'gzip';
      if (gzipped) body = gunzipSync(body);
      const reply = replies.shift();
      if (!reply || (reply.status >= 200 && reply.status < 300)) {
        requests.push({
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          gzipped,
          at: Date.now(),
        });
        for (const w of waiters) w();
      }
      res.writeHead(reply?.status ?? 200, { 'content-type': 'application/json', ...reply?.headers });
      res.end(reply?.body ?? defaultBody);
    });
  });
  const listening = await listen(server);
  return {
    url: listening.url,
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
          reject(
            new Error(`waited ${timeoutMs} ms for ${count} request(s) to ${path}, got ${matching().length}`),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    stop: () => listening.close(),
  };
}
