import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runServerRequest, setRequestRoute } from '@sightline/core';

export interface App {
  readonly url: string;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => unknown;

/** A node:http service instrumented as the framework adapters do it: `runServerRequest` around the handler. */
export async function startApp(routes: Record<string, Handler>): Promise<App> {
  const server = http.createServer((req, res) => {
    runServerRequest(req, res, async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      const handler = routes[path];
      if (!handler) {
        res.statusCode = 404;
        res.end('not found');
        return;
      }
      setRequestRoute(req, path);
      try {
        await handler(req, res);
      } catch (err) {
        res.statusCode = 500;
        res.end(String((err as Error).message));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
