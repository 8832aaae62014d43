import { createServer } from 'node:http';
import { runServerRequest } from '@sightline/core';
import { jsonLines, listen, sleep, traceparent, useIngest } from '@sightline/testkit';
import express from 'express';
import { describe, expect, it, vi } from 'vitest';
import winston from 'winston';
import TransportStream from 'winston-transport';
import { SightlineTransport, sightlineFormat, sightlineMeta } from '../src/index.js';

const t = useIngest({ release: '1.0.0' }, 500);

/** JSON lines a console-like transport printed. */
function lineSink() {
  const { lines, stream } = jsonLines();
  return { lines, transport: new winston.transports.Stream({ stream }) };
}

/** An Express 5 app running every request through core's server lifecycle (what @sightline/express does). */
function appWith(setup: (app: express.Express) => void) {
  const app = express();
  app.use((req, res, next) => runServerRequest(req, res, next, { framework: 'express' }));
  setup(app);
  return listen(createServer(app));
}

describe('winston in an Express app', () => {
  it('correlates every record with its own request under concurrency, in Sightline and on the console', async () => {
    t.start();
    const sink = lineSink();
    const logger = winston.createLogger({
      format: winston.format.combine(sightlineFormat(), winston.format.json()),
      transports: [sink.transport, new SightlineTransport()],
    });
    const srv = await appWith((app) => {
      app.get('/work/:n', async (req, res) => {
        const n = Number(req.params.n);
        logger.info(`start ${n}`, { n });
        await sleep(Math.random() * 10);
        logger.warn(`middle ${n}`, { n });
        await sleep(Math.random() * 10);
        logger.info(`end ${n}`, { n });
        res.json({ n });
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
      const logs = await t.server.waitFor('logs', 3 * N);
      const spans = await t.server.waitFor('spans', N);
      expect(t.server.invalid).toEqual([]);
      expect(logs).toHaveLength(3 * N);
      for (const log of logs) {
        const n = log.metadata.n as number;
        expect(log.message).toMatch(new RegExp(`^(start|middle|end) ${n}$`));
        expect(log.traceId).toBe(sent[n]!.traceId);
        expect(log.requestId).toBe(requestIds[n]);
        const span = spans.find((s) => s.traceId === sent[n]!.traceId);
        expect(log.spanId).toBe(span.spanId);
        expect(log.metadata).not.toHaveProperty('trace_id');
        expect(log.level).toBe(log.message.startsWith('middle') ? 'warn' : 'info');
      }
      expect(sink.lines).toHaveLength(3 * N);
      for (const line of sink.lines) {
        const n = line.n as number;
        expect(line.trace_id).toBe(sent[n]!.traceId);
        expect(line.request_id).toBe(requestIds[n]);
        expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
      }
    } finally {
      await srv.close();
    }
  });

  it('keeps every record in its request through sightlineMeta when a slow transport backs the logger up', async () => {
    t.start();
    // Answers late, like a File transport under load: winston queues records behind it and hands
    // them to every transport (and format) later, in whatever context is current then.
    const printed: Record<string, unknown>[] = [];
    class SlowTransport extends TransportStream {
      override log(info: Record<string, unknown>, cb: () => void) {
        printed.push({ n: info.n, trace_id: info.trace_id });
        setTimeout(cb, 1);
      }
    }
    const logger = winston.createLogger({
      defaultMeta: sightlineMeta({ service: 'shop' }),
      format: winston.format.combine(sightlineFormat(), winston.format.json()),
      transports: [new SlowTransport(), new SightlineTransport()],
    });
    const srv = await appWith((app) => {
      app.get('/burst/:n', async (req, res) => {
        const n = Number(req.params.n);
        for (let i = 0; i < 20; i++) {
          logger.info('burst', { n, i });
          if (i % 5 === 0) await new Promise((r) => setImmediate(r));
        }
        res.json({ n });
      });
    });
    try {
      const N = 10;
      const sent = Array.from({ length: N }, () => traceparent());
      await Promise.all(
        sent.map(async (tp, n) =>
          (await fetch(`${srv.url}/burst/${n}`, { headers: { traceparent: tp.header } })).text(),
        ),
      );
      const logs = await t.server.waitFor('logs', 20 * N, 10_000);
      expect(t.server.invalid).toEqual([]);
      for (const log of logs) {
        expect(log.traceId).toBe(sent[log.metadata.n]!.traceId);
        expect(log.metadata.service).toBe('shop');
      }
      await vi.waitFor(() => expect(printed).toHaveLength(20 * N), { timeout: 10_000 });
      for (const line of printed) expect(line.trace_id).toBe(sent[line.n as number]!.traceId);
    } finally {
      await srv.close();
    }
  });

  it('turns errors into events with their stack and cause chain, and earlier records into breadcrumbs', async () => {
    t.start();
    const transport = new SightlineTransport();
    const logger = winston.createLogger({ level: 'debug', transports: [transport] });
    const tp = traceparent();
    const srv = await appWith((app) => {
      app.get('/checkout', (_req, res) => {
        logger.debug('cache miss'); // below breadcrumbLevel and logLevel: nowhere
        logger.info('cart loaded', { items: 3 });
        logger.warn('retrying card', { attempt: 2 });
        const err = new Error('checkout failed', { cause: new TypeError('card declined') });
        logger.error('payment failed', { err, orderId: 'o-7' });
        res.status(500).json({ ok: false });
      });
    });
    try {
      const res = await fetch(`${srv.url}/checkout`, { headers: { traceparent: tp.header } });
      await res.text();
      await t.client.flush(3000);
      const [event] = await t.server.waitFor('errors', 1);
      const logs = await t.server.waitFor('logs', 3);
      expect(t.server.invalid).toEqual([]);
      expect(event).toMatchObject({
        exceptionClass: 'Error',
        message: 'checkout failed',
        level: 'error',
        traceId: tp.traceId,
        requestId: res.headers.get('x-allstak-request-id'),
        metadata: {
          mechanism: 'winston',
          handled: true,
          orderId: 'o-7',
          'log.message': 'payment failed',
          'cause.0.exceptionClass': 'TypeError',
          'cause.0.message': 'card declined',
        },
      });
      expect(event.stackTrace.some((l: string) => l.includes('express.test.ts'))).toBe(true);
      expect(
        event.breadcrumbs.map((b: { message: string; level: string; category: string }) => [
          b.message,
          b.level,
          b.category,
        ]),
      ).toEqual([
        ['cart loaded', 'info', 'winston'],
        ['retrying card', 'warn', 'winston'],
      ]);
      expect(logs.map((l) => [l.level, l.message])).toEqual([
        ['info', 'cart loaded'],
        ['warn', 'retrying card'],
        ['error', 'payment failed'],
      ]);
      const errorLog = logs[2];
      expect(errorLog.metadata).toMatchObject({
        orderId: 'o-7',
        'error.type': 'Error',
        'error.message': 'checkout failed',
        'error.cause.0.type': 'TypeError',
        'error.cause.0.message': 'card declined',
      });
      expect(errorLog.metadata['error.stackTrace']).toMatch(/^ {4}at .*express\.test\.ts/);
      expect(errorLog.metadata).not.toHaveProperty('err');
      expect(transport.getStats()).toMatchObject({
        records: 3,
        logs: 3,
        breadcrumbs: 2,
        events: 1,
        failed: 0,
      });
    } finally {
      await srv.close();
    }
  });
});
