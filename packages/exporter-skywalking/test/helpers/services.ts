import {
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
  createServer,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ServerRequestOptions, runServerRequest } from '@sightline/core';

export interface Service {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => unknown;

async function listen(server: Server): Promise<Service> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/**
 * The Sightline service under test: node:http with core's server request lifecycle, routes by
 * path prefix. A handler that throws answers 500.
 */
export function startService(
  routes: Record<string, Handler>,
  options?: (path: string) => ServerRequestOptions | undefined,
): Promise<Service> {
  return listen(
    createServer((req, res) => {
      const path = (req.url ?? '/').split('?')[0] as string;
      runServerRequest(
        req,
        res,
        async () => {
          const handler = routes[path];
          if (!handler) {
            res.statusCode = 404;
            res.end();
            return;
          }
          try {
            await handler(req, res);
          } catch {
            if (!res.headersSent) res.statusCode = 500;
            res.end();
          }
        },
        options?.(path),
      );
    }),
  );
}

export interface Downstream extends Service {
  /** Headers of every request received, in order. */
  received: { path: string; headers: IncomingHttpHeaders }[];
}

/** A plain (uninstrumented) server that records what it receives; `?delay=ms` answers late. */
export async function startDownstream(): Promise<Downstream> {
  const received: Downstream['received'] = [];
  const svc = await listen(
    createServer((req, res) => {
      received.push({ path: req.url ?? '', headers: req.headers });
      const delay = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('delay') ?? 0);
      setTimeout(() => res.end('ok'), delay);
    }),
  );
  return { ...svc, received };
}

/** Calls the service under test (the suites exclude these calls from outbound instrumentation). */
export async function call(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const r = await fetch(url, { headers });
  await r.arrayBuffer();
  const h: IncomingHttpHeaders = {};
  r.headers.forEach((v, k) => {
    h[k] = v;
  });
  return { status: r.status, headers: h };
}
