// What each core call made by the outbound instrumentation costs on its own, per exchange, in a
// sampled request context with the discard transport (so the AllStak exporter's per-item JSON
// encoding is included, the sending is not). Tight loops: a fetch workload runs them 2–3× slower
// (undici-insitu.mjs). taskset -c 0 node profile/undici-core-parts.mjs [rounds=7] [n=50000]
import * as core from '@sightline/core';
import { FETCH_HEADERS, benchInitOptions, fakeRequest, fakeResponse } from './lib.mjs';

const rounds = Number(process.argv[2] ?? 7);
const n = Number(process.argv[3] ?? 50000);
const client = core.init(benchInitOptions());
const host = '127.0.0.1:40000';
const url = `http://${host}/price`;
const startSpan = () => {
  const span = core.startInactiveSpan({
    name: 'http.client',
    kind: 'client',
    description: `GET ${host}/price`,
  });
  span.setTag('http.method', 'GET');
  span.setTag('http.url', url);
  span.setTag('server.address', host);
  span.setTag('http.library', 'undici');
  return span;
};
const has = (h, name) => {
  for (let i = 0; i < h.length; i += 2)
    if (h[i].length === name.length && h[i].toLowerCase() === name) return true;
  return false;
};
const set = (h, name, value) => h.push(name, value);

const parts = {
  'startInactiveSpan + 4 setTag': () => startSpan(),
  'injectTraceHeaders (5 headers, array carrier)': (span) => {
    const h = FETCH_HEADERS.slice();
    if (core.shouldPropagateTo(client, url, `http://${host}`))
      core.injectTraceHeaders(client, h, set, has, span);
  },
  'span.end → captureSpan (scrub tags, encode, JSON)': (span) => {
    span.setTag('http.status_code', 200);
    span.setStatus('ok');
    span.end();
  },
  'scrubString of the url + host tags alone': () => {
    core.scrubString(url);
    core.scrubString(host);
  },
  "dispatch('http-request') (encode, JSON)": (span) => {
    client.dispatch('http-request', {
      direction: 'outbound',
      method: 'GET',
      host,
      path: '/price',
      statusCode: 200,
      durationMs: 1.234,
      timestamp: Date.now(),
      traceId: span.traceId,
      spanId: span.spanId,
      parentSpanId: span.parentSpanId,
      requestId: 'b5f2a2f2-3c3c-4a0f-9d8f-2d0b9f6d1a11',
      requestSize: undefined,
      responseSize: 54,
      userId: undefined,
      environment: 'bench',
      release: 'bench@1.0.0',
      service: 'bench-undici',
      metadata: undefined,
    });
  },
  'client.addBreadcrumb': (_span, scope) => {
    client.addBreadcrumb(
      {
        timestamp: Date.now(),
        type: 'http',
        category: 'http',
        level: 'info',
        data: { method: 'GET', url, status_code: 200 },
      },
      scope,
    );
  },
};

const measure = (fn) => {
  let total = 0n;
  // Ten calls per request context, like undici-handlers.mjs.
  for (let i = 0; i < n; i += 10) {
    const res = fakeResponse();
    core.runServerRequest(fakeRequest(), res, () => {
      const hub = core.getCurrentHub();
      const spans = [];
      for (let j = 0; j < 10; j++) spans.push(startSpan());
      const t = process.hrtime.bigint();
      for (let j = 0; j < 10; j++) fn(spans[j], hub.scope);
      total += process.hrtime.bigint() - t;
    });
    res.emit('close');
  }
  return Number(total) / n;
};
const out = Object.fromEntries(Object.keys(parts).map((k) => [k, []]));
for (let r = 0; r < rounds; r++) for (const [k, fn] of Object.entries(parts)) out[k].push(measure(fn));
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
for (const [k, v] of Object.entries(out)) console.log(`${med(v).toFixed(0).padStart(6)} ns  ${k}`);
