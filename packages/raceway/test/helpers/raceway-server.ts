import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedPost {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body as received. */
  raw: string;
  /** The parsed body, or undefined when it was not JSON. */
  body: unknown;
}

/** What the next request gets; `undefined` means 200 with Raceway's success body. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface FakeRaceway {
  readonly url: string;
  /** Every `POST /events`, in arrival order. */
  readonly posts: ReceivedPost[];
  /** All events of all posts that answered 2xx, in order. */
  events(): Record<string, any>[];
  /** Answers for the next requests, in order (then 200 again). */
  answer(...answers: Answer[]): void;
  waitForEvents(count: number, timeoutMs?: number): Promise<Record<string, any>[]>;
  waitForPosts(count: number, timeoutMs?: number): Promise<ReceivedPost[]>;
  stop(): Promise<void>;
}

/**
 * A stand-in for a Raceway server's ingest, following WIRE-FORMATS §1.1: `POST /events` with
 * `{ "events": [...] }` (a bare array is refused with 422), answered
 * `{"success":true,"data":"Ingested N events","error":null}`.
 */
export async function startFakeRaceway(): Promise<FakeRaceway> {
  const posts: ReceivedPost[] = [];
  const accepted: Record<string, any>[] = [];
  const queue: Answer[] = [];
  const hanging: http.ServerResponse[] = [];
  const waiters: Array<() => void> = [];
  const notify = () => {
    for (const w of waiters.splice(0)) w();
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      posts.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw, body });
      const answer = queue.shift();
      if (answer === 'hang') {
        hanging.push(res);
        notify();
        return;
      }
      if (answer) {
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(answer.body ?? '{"success":false,"data":null,"error":"Too Many Requests"}');
        notify();
        return;
      }
      const events = (body as { events?: unknown } | undefined)?.events;
      if (req.method !== 'POST' || req.url !== '/events' || !Array.isArray(events)) {
        res.writeHead(422).end();
        notify();
        return;
      }
      accepted.push(...(events as Record<string, any>[]));
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ success: true, data: `Ingested ${events.length} events`, error: null }));
      notify();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const wait = async (done: () => boolean, what: string, timeoutMs: number) => {
    const until = Date.now() + timeoutMs;
    while (!done()) {
      const left = until - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };
  return {
    url: `http://127.0.0.1:${port}`,
    posts,
    events: () => accepted,
    answer: (...a) => queue.push(...a),
    async waitForEvents(count, timeoutMs = 5000) {
      await wait(() => accepted.length >= count, `${count} events (have ${accepted.length})`, timeoutMs);
      return accepted;
    },
    async waitForPosts(count, timeoutMs = 5000) {
      await wait(() => posts.length >= count, `${count} posts (have ${posts.length})`, timeoutMs);
      return posts;
    },
    stop: () =>
      new Promise((resolve) => {
        for (const r of hanging) r.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
