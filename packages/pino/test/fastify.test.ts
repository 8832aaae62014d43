import { captureException, runServerRequest } from '@sightline/core';
import { jsonLines, sleep, traceparent, useIngest } from '@sightline/testkit';
import Fastify, { type FastifyInstance } from 'fastify';
import pino from 'pino';
import pino8 from 'pino8';
import pino9 from 'pino9';
import { describe, expect, it } from 'vitest';
import { sightlineMixin, sightlineStream } from '../src/index.js';

const t = useIngest({ release: '1.0.0' }, 500);

/** Records the handlers logged (Fastify's own records have no `n`). */
function ours(items: any[]): any[] {
  return items.filter((l) => typeof l.metadata?.n === 'number');
}

/** A Fastify 5 app running every request through core's server lifecycle (what @sightline/fastify does). */
async function appWith(
  logger: pino.Logger,
  setup: (app: FastifyInstance) => void,
  disableRequestLogging = true,
) {
  const app = Fastify({ loggerInstance: logger, disableRequestLogging }) as unknown as FastifyInstance;
  app.addHook('onRequest', (req, reply, done) =>
    runServerRequest(req.raw, reply.raw, done, { framework: 'fastify' }),
  );
  // Stands in for the adapter's error hook: the error the handler threw is captured once.
  app.addHook('onError', async (_req, _reply, err) => {
    captureException(err, { mechanism: 'fastify' });
  });
  setup(app);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return { url, close: () => app.close() };
}

describe.each([
  ['pino 10', pino],
  ['pino 9', pino9 as unknown as typeof pino],
  ['pino 8', pino8 as unknown as typeof pino],
])('%s in a Fastify app', (_name, make) => {
  it('correlates request.log records with their own request under concurrency, beside stdout', async () => {
    t.start();
    const out = jsonLines();
    const logger = make(
      { level: 'debug', mixin: sightlineMixin() },
      make.multistream([{ stream: out.stream }, { level: 'debug', stream: sightlineStream() }]),
    );
    const srv = await appWith(logger, (app) => {
      app.get('/work/:n', async (req) => {
        const n = Number((req.params as { n: string }).n);
        req.log.info({ n }, `start ${n}`);
        await sleep(Math.random() * 10);
        req.log.warn({ n, detail: { step: 2 } }, `middle ${n}`);
        await sleep(Math.random() * 10);
        req.log.info({ n }, `end ${n}`);
        return { n };
      });
    });
    try {
      const N = 40;
      const sent = Array.from({ length: N }, () => traceparent());
      const responses = await Promise.all(
        sent.map((tp, n) => fetch(`${srv.url}/work/${n}`, { headers: { traceparent: tp.header } })),
      );
      const requestIds = responses.map((r) => r.headers.get('x-allstak-request-id'));
      await Promise.all(responses.map((r) => r.text()));
      await t.client.flush(3000);
      // Fastify's own "Server listening" record is there too, outside any request.
      const logs = ours(await t.server.waitFor<any>('logs', (items) => ours(items).length >= 3 * N));
      const spans = await t.server.waitFor('spans', N);
      expect(t.server.invalid).toEqual([]);
      expect(logs).toHaveLength(3 * N);
      for (const log of logs) {
        const n = log.metadata.n as number;
        expect(log.message).toMatch(new RegExp(`^(start|middle|end) ${n}$`));
        expect(log.traceId).toBe(sent[n]!.traceId);
        expect(log.requestId).toBe(requestIds[n]);
        expect(log.spanId).toBe(spans.find((s) => s.traceId === sent[n]!.traceId).spanId);
        expect(log.level).toBe(log.message.startsWith('middle') ? 'warn' : 'info');
        // Fastify's child-logger binding is a structured field like any other.
        expect(log.metadata.reqId).toEqual(expect.any(String));
        expect(log.metadata).not.toHaveProperty('trace_id');
        expect(log.metadata).not.toHaveProperty('pid');
      }
      expect(logs.find((l) => l.message === 'middle 3').metadata.detail).toEqual({ step: 2 });
      const printed = out.lines.filter((l) => typeof l.n === 'number');
      expect(printed).toHaveLength(3 * N);
      for (const line of printed) {
        expect(line.trace_id).toBe(sent[line.n as number]!.traceId);
        expect(line.request_id).toBe(requestIds[line.n as number]);
      }
    } finally {
      await srv.close();
    }
  });

  it('sends one event for a handler error Fastify logs, with the breadcrumbs of that request', async () => {
    t.start();
    const stream = sightlineStream();
    const logger = make({ mixin: sightlineMixin() }, stream);
    const tp = traceparent();
    const srv = await appWith(
      logger,
      (app) => {
        app.get('/checkout', async (req) => {
          req.log.debug('cache miss'); // below the logger level
          req.log.info({ items: 3 }, 'cart loaded');
          req.log.warn('retrying card');
          throw new Error('checkout failed', { cause: new TypeError('card declined') });
        });
      },
      false,
    );
    try {
      const res = await fetch(`${srv.url}/checkout`, { headers: { traceparent: tp.header } });
      expect(res.status).toBe(500);
      await res.text();
      await t.client.flush(3000);
      await t.server.waitFor('logs', 3);
      const events = t.server.items('errors');
      expect(t.server.invalid).toEqual([]);
      // Fastify logs the error (level 50) and the hook captures it: the same Error, one event.
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({
        exceptionClass: 'Error',
        message: 'checkout failed',
        traceId: tp.traceId,
        requestId: res.headers.get('x-allstak-request-id'),
        metadata: { 'cause.0.exceptionClass': 'TypeError', 'cause.0.message': 'card declined' },
      });
      // Records logged outside any request (Fastify's "Server listening") sit on the process
      // scope, which every request inherits; this request's own come after them.
      const crumbs = events[0].breadcrumbs.filter(
        (b: { message: string }) => !b.message.startsWith('Server listening'),
      );
      expect(crumbs.map((b: { message: string; level: string }) => [b.message, b.level])).toEqual([
        ['cart loaded', 'info'],
        ['retrying card', 'warn'],
      ]);
      const errorLog = t.server.items('logs').find((l) => l.level === 'error');
      expect(errorLog).toMatchObject({
        message: 'checkout failed',
        traceId: tp.traceId,
        metadata: {
          'error.type': 'Error',
          'error.message': 'checkout failed',
          'error.cause.0.type': 'TypeError',
          'error.cause.0.message': 'card declined',
        },
      });
      expect(errorLog.metadata['error.stackTrace']).toMatch(/^ {4}at .*fastify\.test\.ts/);
      // Fastify also logs "Server listening", "incoming request" (both outside the request:
      // logs only) and "request completed" (a breadcrumb too, after the error).
      expect(stream.getStats()).toMatchObject({ logs: 6, breadcrumbs: 3, events: 1, failed: 0 });
    } finally {
      await srv.close();
    }
  });
});
