import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { runServerRequest, setRequestRoute } from '@sightline/core';

export interface App {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * A node:http service instrumented the way adapters do it: `runServerRequest` around the
 * handler, the route template set once "routing" matched.
 */
export async function startApp(
  routes: Record<string, (req: http.IncomingMessage, res: http.ServerResponse, params: string[]) => unknown>,
): Promise<App> {
  const server = http.createServer((req, res) => {
    runServerRequest(req, res, async () => {
      const path = (req.url ?? '/').split('?')[0]!;
      for (const [template, handler] of Object.entries(routes)) {
        const re = new RegExp(`^${template.replace(/:[a-z]+/g, '([^/]+)')}$`);
        const m = re.exec(path);
        if (!m) continue;
        setRequestRoute(req, template);
        try {
          await handler(req, res, m.slice(1));
        } catch (err) {
          res.statusCode = 500;
          res.end(String((err as Error).message));
        }
        return;
      }
      res.statusCode = 404;
      res.end('not found');
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
