'use strict';
// @sentry/node with tracing at the given rate, logs on through its pino integration, and each
// framework's documented error handler. Nest runs on platform-express and gets what @sentry/node
// offers it (http + express instrumentation); @sentry/nestjs is a separate package.
const Sentry = require('@sentry/node');
const { createLogger } = require('../logger.cjs');

const flushMs = () => Number(process.env.BENCH_FLUSH_MS ?? 10_000);

module.exports.setup = function setup(ctx) {
  const url = new URL(ctx.sinkUrl);
  Sentry.init({
    dsn: `http://public@${url.host}/1`,
    release: 'bench@1.0.0',
    environment: 'bench',
    tracesSampleRate: ctx.sampleRate,
    enableLogs: true,
    sendDefaultPii: false,
    integrations: [Sentry.pinoIntegration()],
  });
  return {
    name: 'sentry',
    logger: createLogger(),
    expressAfter(app) {
      Sentry.setupExpressErrorHandler(app);
    },
    async fastify(app) {
      Sentry.setupFastifyErrorHandler(app);
    },
    koa(app) {
      Sentry.setupKoaErrorHandler(app);
    },
    shutdown: () => Sentry.close(flushMs()),
  };
};
