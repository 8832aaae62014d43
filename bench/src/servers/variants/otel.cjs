'use strict';
// The OpenTelemetry Node SDK as its docs set it up: http, undici (fetch) and framework
// instrumentations, a batch span processor and the OTLP/HTTP (JSON) trace exporter. Metrics
// and logs exporters are off (the harness sets OTEL_METRICS_EXPORTER / OTEL_LOGS_EXPORTER=none):
// only traces are compared.
const { NodeSDK, tracing } = require('@opentelemetry/sdk-node');
const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http');
const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici');
const { createLogger } = require('../logger.cjs');

function frameworkInstrumentations(framework) {
  if (framework === 'express') {
    const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
    return [new ExpressInstrumentation()];
  }
  if (framework === 'fastify') {
    const FastifyOtelInstrumentation = require('@fastify/otel');
    return [new FastifyOtelInstrumentation({ registerOnInitialization: true })];
  }
  if (framework === 'koa') {
    const { KoaInstrumentation } = require('@opentelemetry/instrumentation-koa');
    return [new KoaInstrumentation()];
  }
  if (framework === 'nest') {
    const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');
    const { NestInstrumentation } = require('@opentelemetry/instrumentation-nestjs-core');
    return [new ExpressInstrumentation(), new NestInstrumentation()];
  }
  return [];
}

module.exports.setup = function setup(ctx) {
  const exporter = new OTLPTraceExporter({ url: `${ctx.sinkUrl}/v1/traces` });
  const sdk = new NodeSDK({
    serviceName: `bench-${ctx.framework}`,
    spanProcessors: [new tracing.BatchSpanProcessor(exporter)],
    sampler: new tracing.ParentBasedSampler({ root: new tracing.TraceIdRatioBasedSampler(ctx.sampleRate) }),
    instrumentations: [
      new HttpInstrumentation(),
      new UndiciInstrumentation(),
      ...frameworkInstrumentations(ctx.framework),
    ],
  });
  sdk.start();
  return { name: 'otel', logger: createLogger(), shutdown: () => sdk.shutdown() };
};
