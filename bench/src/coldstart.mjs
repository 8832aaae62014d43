// Cold start: a fresh process per sample times `require` of each package and its `init`
// (or, for peers, their documented start-up call). Median over runs; each sample is its own
// process so nothing is cached in memory between them (the OS file cache is warm after run 1).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { SRC } from './config.mjs';
import { median, round } from './stats.mjs';

const CASES = [
  { id: 'node (empty)', load: '', start: '' },
  {
    id: '@sightline/core',
    load: "const m = require('@sightline/core');",
    start: "m.init({ apiKey: 'k', host: 'http://127.0.0.1:9', defaultIntegrations: false });",
  },
  {
    id: '@sightline/core + express + undici + pino adapters',
    load: "const m = require('@sightline/core'); require('@sightline/express'); const u = require('@sightline/undici'); require('@sightline/pino');",
    start:
      "m.init({ apiKey: 'k', host: 'http://127.0.0.1:9', integrations: [u.outboundHttpIntegration()] });",
  },
  { id: '@sightline/fastify', load: "require('@sightline/fastify');", start: '' },
  { id: '@sightline/koa', load: "require('@sightline/koa');", start: '' },
  {
    id: '@sightline/nestjs (loads @nestjs/common, @nestjs/core)',
    load: "require('reflect-metadata'); require('@sightline/nestjs');",
    start: '',
  },
  {
    id: '@sentry/node',
    load: "const m = require('@sentry/node');",
    start: "m.init({ dsn: 'http://public@127.0.0.1:9/1', tracesSampleRate: 1 });",
  },
  {
    id: '@opentelemetry/sdk-node + http/undici/express + OTLP',
    load: "const { NodeSDK } = require('@opentelemetry/sdk-node'); const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http'); const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http'); const { UndiciInstrumentation } = require('@opentelemetry/instrumentation-undici'); const { ExpressInstrumentation } = require('@opentelemetry/instrumentation-express');",
    start:
      "const sdk = new NodeSDK({ traceExporter: new OTLPTraceExporter({ url: 'http://127.0.0.1:9/v1/traces' }), instrumentations: [new HttpInstrumentation(), new UndiciInstrumentation(), new ExpressInstrumentation()] }); sdk.start();",
  },
  {
    id: 'dd-trace',
    load: "const m = require('dd-trace');",
    start: "m.init({ url: 'http://127.0.0.1:9', startupLogs: false });",
  },
];

const ENV = {
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
  DD_TRACE_TELEMETRY_ENABLED: 'false',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  DD_PROFILING_ENABLED: 'false',
  DD_CRASHTRACKING_ENABLED: 'false',
  DD_TRACE_STARTUP_LOGS: 'false',
};

function sample(c) {
  const script = `
    const t0 = performance.now();
    ${c.load}
    const t1 = performance.now();
    ${c.start}
    const t2 = performance.now();
    process.stdout.write(JSON.stringify({ requireMs: t1 - t0, initMs: t2 - t1, rss: process.memoryUsage().rss }));
    process.exit(0);
  `;
  const r = spawnSync(process.execPath, ['-e', script], {
    cwd: join(SRC, 'servers'),
    env: { ...process.env, ...ENV },
    encoding: 'utf8',
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`cold start of ${c.id} failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export async function runColdStart(settings, { log }) {
  log('\n[cold start] require + init, fresh process each');
  const out = [];
  for (const c of CASES) {
    const samples = [];
    for (let i = 0; i < settings.runs; i++) samples.push(sample(c));
    const row = {
      id: c.id,
      requireMs: round(median(samples.map((s) => s.requireMs)), 1),
      initMs: round(median(samples.map((s) => s.initMs)), 1),
      rssMB: round(median(samples.map((s) => s.rss / 1048576)), 1),
      runs: settings.runs,
    };
    log(
      `  ${c.id.padEnd(56)} require ${String(row.requireMs).padStart(7)} ms  init ${String(row.initMs).padStart(6)} ms  rss ${row.rssMB} MB`,
    );
    out.push(row);
  }
  return out;
}
