import type { ServerResponse } from 'node:http';

/**
 * The live feed: `GET /api/live` is a server-sent event stream (EventSource in the UI, no
 * library, no CDN). After new items are stored, subscribers get one `stored` event with the
 * counts per kind since the last event, batched to at most one every `intervalMs` so a burst
 * of traffic does not make the UI re-render hundreds of times.
 */
export class LiveFeed {
  private readonly clients = new Set<ServerResponse>();
  private pending: Record<string, number> = {};
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly keepAlive: NodeJS.Timeout;

  constructor(private readonly intervalMs = 250) {
    // A comment line keeps proxies and idle timeouts from closing quiet streams.
    this.keepAlive = setInterval(() => this.write(': ping\n\n'), 15_000);
    this.keepAlive.unref();
  }

  subscribe(res: ServerResponse): void {
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    res.write('retry: 1000\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  notify(kind: string, count: number): void {
    if (this.clients.size === 0 || count === 0) return;
    this.pending[kind] = (this.pending[kind] ?? 0) + count;
    if (this.flushTimer) return;
    this.flushTimer = setTimeout(() => {
      this.flushTimer = undefined;
      const data = JSON.stringify(this.pending);
      this.pending = {};
      this.write(`event: stored\ndata: ${data}\n\n`);
    }, this.intervalMs);
    this.flushTimer.unref();
  }

  private write(chunk: string): void {
    for (const res of this.clients) res.write(chunk);
  }

  close(): void {
    clearInterval(this.keepAlive);
    if (this.flushTimer) clearTimeout(this.flushTimer);
    for (const res of this.clients) res.end();
    this.clients.clear();
  }
}
