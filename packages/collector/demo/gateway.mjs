// Demo service 1: an Express "gateway" that calls the backend with fetch, logging through
// Winston. Everything Sightline-specific is in the first 30 lines; the rest is an ordinary app.
import { captureException, init, setUser, withMonitor } from '@sightline/core';
import { setupExpressErrorHandler, sightlineRequestHandler } from '@sightline/express';
import { outboundHttpIntegration } from '@sightline/undici';
import { SightlineTransport, sightlineFormat } from '@sightline/winston';
import express from 'express';
import winston from 'winston';
import { runService, sdkOptions } from './run-service.mjs';

const client = init({
  ...sdkOptions('gateway'),
  // Spans, http-request records and trace headers for this service's outbound fetch calls.
  integrations: [outboundHttpIntegration()],
});

const log = winston.createLogger({
  level: 'info',
  // trace_id/span_id/request_id on every record; the transport sends records to the collector.
  format: winston.format.combine(sightlineFormat(), winston.format.json()),
  transports: [new SightlineTransport()],
});

const BACKEND = process.env.BACKEND_URL;
const app = express();
app.use(sightlineRequestHandler());
app.use(express.json());

app.get('/api/orders/:id', async (req, res) => {
  setUser({ id: 'demo-user-1' });
  log.info('fetching order', { orderId: req.params.id });
  const r = await fetch(`${BACKEND}/orders/${encodeURIComponent(req.params.id)}`);
  if (r.status === 404) {
    log.warn('order not found', { orderId: req.params.id });
    res.status(404).json({ error: 'no such order' });
    return;
  }
  res.json({ order: await r.json(), servedBy: 'gateway' });
});

app.post('/api/orders/:id/pay', async (req, res) => {
  setUser({ id: 'demo-user-1' });
  const r = await fetch(`${BACKEND}/payments`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ orderId: req.params.id, amount: 4200 }),
  });
  if (!r.ok) {
    log.error('payment failed downstream', { orderId: req.params.id, backendStatus: r.status });
    res.status(502).json({ error: 'payment service failed' });
    return;
  }
  res.json(await r.json());
});

const cachedProfile = '{"name": "Ada", "theme": ';
app.get('/api/profile/:id', (req, res) => {
  setUser({ id: `demo-user-${req.params.id}` });
  // Logged before the failure, so the error event carries it as a breadcrumb.
  log.info('loading profile from cache', { userId: req.params.id });
  try {
    res.json(JSON.parse(cachedProfile));
  } catch (err) {
    // A handled error: reported, and the user still gets an answer.
    captureException(err, { tags: { cache: 'profiles' } });
    log.warn('profile cache entry is corrupt; serving defaults', { userId: req.params.id });
    res.json({ name: 'unknown', theme: 'light' });
  }
});

app.get('/api/reports/:id', (req) => {
  const report = null;
  // An unhandled bug: the error handler reports it, Express answers 500.
  return report.rows.filter((r) => r.id === req.params.id);
});

setupExpressErrorHandler(app);
app.use((err, _req, res, _next) => {
  log.error('request failed', { error: err });
  res.status(500).json({ error: 'internal error' });
});

let server;
await runService({
  client,
  async listen() {
    await withMonitor('gateway-cache-warmup', () => new Promise((r) => setTimeout(r, 15)));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    return `http://127.0.0.1:${server.address().port}`;
  },
  close: () =>
    new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
});
