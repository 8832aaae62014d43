// Demo service 2: a Fastify "backend" logging through Pino. The gateway calls it; its spans
// join the gateway's trace through the traceparent header the gateway's fetch carries.
import { captureDbQuery, init, startSpan } from '@sightline/core';
import { sightlineFastify } from '@sightline/fastify';
import { sightlineMixin, sightlineStream } from '@sightline/pino';
import Fastify from 'fastify';
import pino from 'pino';
import { runService, sdkOptions } from './run-service.mjs';

const client = init(sdkOptions('backend'));

// The mixin puts trace_id/span_id/request_id on every line; the stream sends them as /logs records.
const logger = pino({ level: 'info', mixin: sightlineMixin() }, sightlineStream());
const app = Fastify({ loggerInstance: logger, disableRequestLogging: true });
await app.register(sightlineFastify);

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ORDERS = new Map([
  ['1', { id: '1', items: ['keyboard', 'mouse'], total: 4200 }],
  ['2', { id: '2', items: ['monitor'], total: 18900 }],
]);

app.get('/orders/:id', async (request, reply) => {
  const order = await startSpan({ name: 'orders.lookup' }, async () => {
    const started = Date.now();
    await sleep(8);
    captureDbQuery({
      query: `SELECT * FROM orders WHERE id = ${Number(request.params.id) || 0}`,
      durationMs: Date.now() - started,
      databaseType: 'sqlite',
      databaseName: 'shop',
    });
    return ORDERS.get(request.params.id);
  });
  if (!order) {
    request.log.warn({ orderId: request.params.id }, 'order not found');
    return reply.code(404).send({ error: 'no such order' });
  }
  request.log.info({ orderId: order.id, items: order.items.length }, 'order loaded');
  return order;
});

app.post('/payments', async (request) => {
  await startSpan({ name: 'payments.charge', kind: 'client' }, () => sleep(12));
  const err = new Error('payment declined by processor', {
    cause: new Error('card issuer timed out after 10s'),
  });
  // Logged with its error and then thrown: Sightline reports the Error object once.
  request.log.error({ err, orderId: request.body?.orderId }, 'payment failed');
  throw err;
});

await runService({
  client,
  async listen() {
    return app.listen({ port: 0, host: '127.0.0.1' });
  },
  close: () => app.close(),
});
