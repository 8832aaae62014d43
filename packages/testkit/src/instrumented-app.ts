import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import { runServerRequest, setRequestRoute } from '@sightline/core';
import { type Listening, listen } from './http-client.js';

/** A route handler of {@link startInstrumentedApp}; `params` are the `:name` segments in order. */
export type InstrumentedRoute = (req: IncomingMessage, res: ServerResponse, params: string[]) => unknown;

/**
 * A node:http service on 127.0.0.1:0 instrumented the way adapters do it: `runServerRequest`
 * around the handler, the route template set once "routing" matched. Route keys are templates
 * like `/users/:id`, tried in order; a throwing handler answers 500 with the error's message,
 * no match answers 404.
 * @example
 * const app = await startInstrumentedApp({ '/users/:id': (_req, res, [id]) => res.end(id) });
 * await fetch(`${app.url}/users/7`);
 * await app.close();
 */
export async function startInstrumentedApp(routes: Record<string, InstrumentedRoute>): Promise<Listening> {
  const server = createServer((req, res) => {
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
  return listen(server);
}
