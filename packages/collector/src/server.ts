import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleApi } from './http/api.js';
import { createIngestHandler } from './http/ingest.js';
import { LiveFeed } from './http/live.js';
import { createRacewayIngestHandler } from './http/raceway.js';
import { sendJson } from './http/respond.js';
import { serveUi } from './http/static.js';
import { type CollectorOptions, resolveOptions } from './options.js';
import { Store } from './store/store.js';

/** A running collector. */
export interface Collector {
  /** `http://127.0.0.1:<port>`: the SDK's `host`, and the UI's address. */
  readonly url: string;
  readonly port: number;
  /** The embedded store, for tests and scripts that read back what arrived. */
  readonly store: Store;
  /** Stops accepting requests, writes the database file and closes it. Idempotent. */
  close(): Promise<void>;
}

/**
 * Starts the local AllStak-compatible collector: ingest on `/ingest/v1/*` (and Raceway events on
 * `/events`), the JSON query API on `/api/*`, the web UI on `/`.
 * @example
 * const collector = await startCollector({ port: 7331, db: '.sightline-data/collector.sqlite' });
 * init({ apiKey: 'dev', host: collector.url, service: 'api' });
 */
export async function startCollector(options: CollectorOptions = {}): Promise<Collector> {
  const o = resolveOptions(options);
  const store = await Store.open({
    db: o.db,
    maxRowsPerKind: o.maxRowsPerKind,
    maxAgeMs: o.maxAgeMs,
    persistDelayMs: o.persistDelayMs,
    onWarning: o.onWarning,
  });
  const live = new LiveFeed();
  const ingest = createIngestHandler({ options: o, store, onStored: (kind, n) => live.notify(kind, n) });
  const raceway = createRacewayIngestHandler({
    options: o,
    store,
    onStored: (kind, n) => live.notify(kind, n),
  });
  const sockets = new Set<Socket>();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://collector.invalid');
    const pathname = url.pathname;
    if (pathname.startsWith('/ingest/')) return ingest(req, res, pathname);
    // Raceway SDKs (and @sightline/raceway) post here; the races are at /api/races.
    if (pathname === '/events') return raceway(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET');
      return sendJson(res, 405, { error: 'use GET' });
    }
    if (pathname === '/api/live') return live.subscribe(res);
    if (pathname.startsWith('/api/')) return handleApi(store, res, pathname, url.searchParams);
    if (!serveUi(res, pathname)) sendJson(res, 404, { error: 'not found' });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: Error) => {
      // A bug here must cost one request, never the collector.
      o.onWarning(`request failed: ${err.message}`);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal collector error' });
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n');
    else socket.destroy();
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(o.port, o.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await store.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  const host = o.host.includes(':') ? `[${o.host}]` : o.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    store,
    close() {
      closing ??= (async () => {
        live.close();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          // Keep-alive sockets from SDK transports would otherwise hold close() open.
          server.closeIdleConnections();
          for (const s of sockets) s.destroy();
        });
        await store.close();
      })();
      return closing;
    },
  };
}
