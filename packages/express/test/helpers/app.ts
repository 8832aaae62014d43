import type { Express, NextFunction, Request, Response } from 'express';
import express from 'express';
import express4 from 'express4';
import { addBreadcrumb, captureException, logger, setTag, setUser } from '@sightline/core';
import { isolationWork, sleep } from '@sightline/testkit';
import { setupExpressErrorHandler, sightlineRequestHandler } from '../../src/index.js';

export type ExpressFactory = typeof express;

/** Every supported major, for `describe.each`. */
export const MAJORS: [string, ExpressFactory][] = [
  ['express5', express],
  ['express4', express4 as unknown as ExpressFactory],
];

export interface AppOptions {
  /** Install the Sightline request and error handlers. @default true */
  sightline?: boolean;
  /** `json`: the app answers errors itself; `default`: Express's final handler (production mode). */
  errors?: 'json' | 'default';
  /** Resolves when `/wait` may answer; `/wait` calls `onWaiting` once it is waiting. */
  gate?: { onWaiting(): void; release: Promise<void> };
}

class HttpError extends Error {
  constructor(
    message: string,
    readonly status?: number,
    readonly statusCode?: number,
  ) {
    super(message);
  }
}

/** The app the tests drive: nested routers, failing routes, streaming, a gate for aborts. */
export function buildApp(createExpress: ExpressFactory, options: AppOptions = {}): Express {
  const app = createExpress();
  app.set('env', 'production');
  if (options.sightline !== false) app.use(sightlineRequestHandler());

  app.use('/mw-fail', () => {
    throw new Error('middleware boom');
  });

  app.get('/users/:id', (req, res) => {
    setUser({ id: req.params.id as string });
    setTag('user.id', req.params.id as string);
    addBreadcrumb({ message: `load user ${req.params.id}` });
    logger.info('user loaded');
    res.json({ id: req.params.id });
  });
  app.post('/users/:id', createExpress.json(), (req, res) => {
    res.status(201).json({ id: req.params.id, body: req.body });
  });
  app.options('/explicit', (_req, res) => {
    res.set('allow', 'GET').status(204).end();
  });

  const users = createExpress.Router();
  users.get('/:id', (req, res) => {
    setUser({ id: req.params.id as string });
    res.json({ nested: req.params.id });
  });
  users.get('/:id/fail', (req) => {
    setUser({ id: req.params.id as string });
    addBreadcrumb({ message: `before fail ${req.params.id}` });
    throw new Error(`boom ${req.params.id}`);
  });
  users.get('/:id/next-error', (req, _res, next) => {
    setUser({ id: req.params.id as string });
    setTimeout(() => next(new Error('boom from a timer')), 1);
  });
  users.get('/:id/async-fail', async (req) => {
    setUser({ id: req.params.id as string });
    await sleep(1);
    throw new Error('async boom');
  });
  users.get('/:id/captured-twice', (req) => {
    const err = new Error('captured by the app too');
    captureException(err);
    setTag('id', req.params.id as string);
    throw err;
  });
  const api = createExpress.Router();
  api.use('/users', users);
  app.use('/api', api);

  app.get('/client-error/:code', (req, _res, next) => {
    const code = Number(req.params.code);
    next(
      req.query.as === 'statusCode'
        ? new HttpError('client', undefined, code)
        : new HttpError('client', code),
    );
  });

  app.get('/stream', async (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    for (let i = 0; i < 3; i++) {
      res.write(`chunk ${i}\n`);
      await sleep(5);
    }
    res.end('done\n');
  });

  app.get('/wait', async (_req, res) => {
    options.gate?.onWaiting();
    await options.gate?.release;
    logger.info('after the client left');
    if (!res.writableEnded) res.json({ late: true });
  });

  app.get('/stream-forever', (_req, res) => {
    res.setHeader('content-type', 'text/plain');
    res.write('first chunk\n');
    options.gate?.onWaiting();
    void options.gate?.release.then(() => res.end());
  });

  app.get('/iso/:n', async (req, res, next) => {
    const n = String(req.params.n);
    try {
      await isolationWork(n);
      res.json({ n });
    } catch (err) {
      next(err);
    }
  });

  if (options.sightline !== false) setupExpressErrorHandler(app);
  if (options.errors !== 'default') {
    app.use((err: HttpError, _req: Request, res: Response, _next: NextFunction) => {
      res.status(err.status ?? err.statusCode ?? 500).json({ error: err.message });
    });
  }
  return app;
}
