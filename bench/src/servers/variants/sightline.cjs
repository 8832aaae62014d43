'use strict';
// Sightline as its README tells a user to install it: init with the outbound fetch integration,
// the framework adapter, and pino with the correlation mixin and the in-process stream.
const core = require('@sightline/core');
const { outboundHttpIntegration } = require('@sightline/undici');
const { sightlineMixin, sightlineStream } = require('@sightline/pino');
const { createLogger } = require('../logger.cjs');

const flushMs = () => Number(process.env.BENCH_FLUSH_MS ?? 10_000);

// Diagnostic knobs (not used by `pnpm bench`), for finding where overhead comes from:
// BENCH_SIGHTLINE_TRANSPORT=discard keeps capture but sends nothing; BENCH_SIGHTLINE_NO_PINO=1
// and BENCH_SIGHTLINE_NO_UNDICI=1 leave the logger and the outbound integration out;
// BENCH_SIGHTLINE_GZIP=on gzips as for a remote backend (the sink is on loopback, where the
// default `compression: 'auto'` sends plain JSON).
const knob = (name) => process.env[`BENCH_SIGHTLINE_${name}`];
const discard = () => ({
  send: () => true,
  flush: async () => true,
  close: async () => true,
  getStats: () => ({ categories: {}, requests: 0, failedRequests: 0 }),
});

module.exports.setup = function setup(ctx) {
  const client = core.init({
    apiKey: 'bench-not-a-secret',
    host: ctx.sinkUrl,
    release: 'bench@1.0.0',
    environment: 'bench',
    service: `bench-${ctx.framework}`,
    tracesSampleRate: ctx.sampleRate,
    integrations: knob('NO_UNDICI') ? [] : [outboundHttpIntegration()],
    ...(knob('TRANSPORT') === 'discard' ? { transport: discard } : {}),
    ...(knob('GZIP') === 'on' ? { transport: (o) => core.createTransport({ ...o, compression: 'gzip' }) } : {}),
    ...ctx.sightlineOptions,
  });
  const logger = knob('NO_PINO')
    ? createLogger()
    : createLogger({ mixin: sightlineMixin(), streams: [{ level: 'info', stream: sightlineStream() }] });
  return {
    name: 'sightline',
    logger,
    express(app) {
      const { sightlineRequestHandler } = require('@sightline/express');
      app.use(sightlineRequestHandler());
    },
    expressAfter(app) {
      const { setupExpressErrorHandler } = require('@sightline/express');
      setupExpressErrorHandler(app);
    },
    async fastify(app) {
      const { sightlineFastify } = require('@sightline/fastify');
      await app.register(sightlineFastify);
    },
    koa(app) {
      const { sightlineKoa } = require('@sightline/koa');
      app.use(sightlineKoa());
    },
    nestImports() {
      const { SightlineModule } = require('@sightline/nestjs');
      // init() already ran above: the module reuses that client.
      return [SightlineModule.forRoot({})];
    },
    stats: () => client.getStats(),
    shutdown: () => client.close(flushMs()),
  };
};
