// What is measured and for how long. `quick` takes about seven minutes on a 2-core machine;
// `full` (about half an hour) is the one to quote. Warm-ups are long on purpose: a server pinned
// to one CPU shares it with V8's compiler threads, and CPU per request keeps falling for seconds
// of load — ~6 s for bare Fastify (2.8k → 13k → 16k req/s in its first three seconds), ~12 s for
// Express with Sightline's adapter, pino stream and fetch instrumentation (638 → 394 → 285 → … →
// 250 µs per request in 2 s steps). A 1 s warm-up measured the ramp, not the server.
import { fileURLToPath } from 'node:url';

export const SRC = fileURLToPath(new URL('.', import.meta.url));
export const BENCH_ROOT = fileURLToPath(new URL('..', import.meta.url));

export const FRAMEWORKS = ['express', 'fastify', 'koa', 'nest'];

/** `kind` names the file in servers/variants; `sampleRate` is the trace sampling rate. */
export const VARIANTS = [
  { id: 'bare', kind: 'bare', label: 'bare', sampleRate: 1 },
  // Not a peer: bare plus Node's async-context tracking, the ceiling for any SDK on Node 20.
  { id: 'ceiling', kind: 'ceiling', label: 'bare + AsyncLocalStorage (ceiling)', sampleRate: 1 },
  { id: 'sightline-100', kind: 'sightline', label: 'Sightline 100%', sampleRate: 1 },
  { id: 'sightline-10', kind: 'sightline', label: 'Sightline 10%', sampleRate: 0.1 },
  { id: 'sentry-100', kind: 'sentry', label: '@sentry/node 100%', sampleRate: 1 },
  { id: 'otel-100', kind: 'otel', label: 'OpenTelemetry 100%', sampleRate: 1 },
  { id: 'datadog-100', kind: 'datadog', label: 'dd-trace 100%', sampleRate: 1 },
];

/**
 * The request mix each connection cycles through: 60% JSON reads, 20% a route that logs a line,
 * 20% a route that fetches from the local stub.
 */
export const PATHS = ['/users/1', '/log', '/users/2', '/fetch', '/users/3'];

export const MODES = {
  quick: {
    rounds: 2,
    warmupSec: 10,
    durationSec: 1.5,
    connections: 32,
    micro: { timeMs: 250, warmupTimeMs: 100 },
    memory: { durationSec: 8, sampleEveryMs: 500 },
    coldStart: { runs: 2 },
  },
  full: {
    rounds: 5,
    warmupSec: 15,
    durationSec: 8,
    connections: 32,
    micro: { timeMs: 1000, warmupTimeMs: 200 },
    memory: { durationSec: 60, sampleEveryMs: 1000 },
    coldStart: { runs: 10 },
  },
};

/** Environment every server gets: peers quiet and local, nothing reaching beyond loopback. */
export const SERVER_ENV = {
  NODE_ENV: 'production',
  OTEL_METRICS_EXPORTER: 'none',
  OTEL_LOGS_EXPORTER: 'none',
  DD_TRACE_TELEMETRY_ENABLED: 'false',
  DD_INSTRUMENTATION_TELEMETRY_ENABLED: 'false',
  DD_REMOTE_CONFIGURATION_ENABLED: 'false',
  DD_PROFILING_ENABLED: 'false',
  DD_CRASHTRACKING_ENABLED: 'false',
  DD_TRACE_STARTUP_LOGS: 'false',
  DD_RUNTIME_METRICS_ENABLED: 'false',
  DD_DATA_STREAMS_ENABLED: 'false',
  SENTRY_DEBUG: 'false',
  ALLSTAK_DEBUG: 'false',
};
