'use strict';
// dd-trace keeping every trace (sampleRate 1 without the default 100 traces/s limit), exporting
// to the sink as its agent, with log injection into pino. Telemetry, remote config, profiling,
// crash tracking and startup logs are off (environment set by the harness).
const tracer = require('dd-trace');
const { createLogger } = require('../logger.cjs');

module.exports.setup = function setup(ctx) {
  tracer.init({
    url: ctx.sinkUrl,
    service: `bench-${ctx.framework}`,
    env: 'bench',
    version: '1.0.0',
    sampleRate: ctx.sampleRate,
    rateLimit: -1,
    logInjection: true,
    startupLogs: false,
    runtimeMetrics: false,
    plugins: true,
  });
  return {
    name: 'datadog',
    logger: createLogger(),
    shutdown: () =>
      new Promise((resolve) => {
        // dd-trace has no public trace flush; its exporter does (the one flushAll uses).
        const exporter = tracer._tracer?._exporter;
        if (typeof exporter?.flush !== 'function') return setTimeout(resolve, 2500);
        const t = setTimeout(resolve, Number(process.env.BENCH_FLUSH_MS ?? 10_000));
        exporter.flush(() => {
          clearTimeout(t);
          resolve();
        });
      }),
  };
};
