// Micro-benchmarks of Sightline's hot paths (tinybench), against the BUILT @sightline/core.
// The transport is replaced by one that accepts and discards, so what is timed is the capture
// path up to the transport boundary (encoding and sending happen later, off that path, and are
// covered by the macro benchmark). Prints one JSON object on stdout.
import { EventEmitter } from 'node:events';
import * as core from '@sightline/core';
import { Bench } from 'tinybench';

const timeMs = Number(process.env.BENCH_MICRO_TIME ?? 500);
const warmupTimeMs = Number(process.env.BENCH_MICRO_WARMUP ?? 100);

const discard = () => ({
  send: () => true,
  flush: async () => true,
  close: async () => true,
  getStats: () => ({ categories: {}, requests: 0, failedRequests: 0 }),
});

function init(tracesSampleRate) {
  return core.init({
    apiKey: 'bench-not-a-secret',
    host: 'http://127.0.0.1:9',
    release: 'bench@1.0.0',
    environment: 'bench',
    tracesSampleRate,
    defaultIntegrations: false,
    transport: discard,
  });
}

/** The parts of IncomingMessage / ServerResponse the request lifecycle touches. */
class FakeResponse extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableFinished = true;
  headers = {};
  setHeader(k, v) {
    this.headers[k] = v;
  }
  getHeader(k) {
    return this.headers[k];
  }
}
const inboundHeaders = {
  host: 'api.example.com',
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) bench',
  accept: 'application/json',
  traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
  tracestate: 'vendor=abc,other=xyz',
  baggage: 'tenant=acme,region=eu',
};
const fakeRequest = (headers) => ({ method: 'GET', url: '/users/42?expand=1', headers });

/** One whole request as an adapter drives it: lifecycle start, route, response close. */
function oneRequest(headers) {
  const req = fakeRequest(headers);
  const res = new FakeResponse();
  core.runServerRequest(req, res, () => core.setRequestRoute(req, '/users/:id'), { framework: 'bench' });
  res.emit('close');
}

/** Runs `fn` inside a live request context (server span active, sampled as the client says). */
function insideRequest(fn) {
  const req = fakeRequest({ host: 'api.example.com' });
  const res = new FakeResponse();
  return core.runServerRequest(req, res, fn, { framework: 'bench' });
}

const payload = {
  user: { id: 'u-1042', email: 'ada@example.com', name: 'Ada' },
  headers: { authorization: 'Bearer abc.def.ghi', accept: 'application/json', cookie: 'sid=123' },
  cart: {
    id: 'c-77',
    items: [
      { sku: 'A-1', qty: 2, price: 9.99 },
      { sku: 'B-2', qty: 1, price: 24.5 },
    ],
  },
  card: '4111 1111 1111 1111',
  note: 'call me at +1 555 0100 about order 1042',
  password: 'hunter2',
  nested: { deeper: { deepest: { flag: true, count: 3 } } },
};

function bench() {
  return new Bench({ time: timeMs, warmupTime: warmupTimeMs });
}

/** The median sample: a GC pause or a JIT tier-up in a short run moves the mean, not this. */
function medianMs(samples) {
  if (!samples?.length) return Number.NaN;
  const s = samples.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

function collect(b, group) {
  return b.tasks.map((t) => ({
    group,
    name: t.name,
    nsPerOp: Math.round(medianMs(t.result?.samples) * 1e6),
    meanNs: Math.round((t.result?.mean ?? Number.NaN) * 1e6),
    p99Ns: Math.round((t.result?.p99 ?? Number.NaN) * 1e6),
    opsPerSec: Math.round(t.result?.hz ?? 0),
    samples: t.result?.samples?.length ?? 0,
    rme: Math.round((t.result?.rme ?? 0) * 100) / 100,
  }));
}

const results = [];
let counter = 0;

// ── 100% trace sampling ──
const client = init(1);
{
  const b = bench();
  b.add('request lifecycle (start + route + close), 100% sampled', () =>
    oneRequest({ host: 'api.example.com' }),
  );
  b.add('request lifecycle, continuing a traceparent', () => oneRequest(inboundHeaders));
  b.add('new Error() (baseline for captureException)', () => new Error(`boom ${counter++}`));
  b.add('captureException(new Error()) call', () => core.captureException(new Error(`boom ${counter++}`)));
  b.add('logger.info, no active request', () =>
    core.logger.info('cart loaded', { cartId: 'c-1042', items: 3 }),
  );
  b.add('startSpan + end, no active request (root)', () => core.startSpan({ name: 'work' }, () => 1));
  b.add('scope fork (hub.fork)', () => core.getCurrentHub().fork());
  b.add('extract traceparent + tracestate + baggage', () =>
    client.propagator.extract(inboundHeaders, core.headerGetter),
  );
  b.add('scrub a typical payload (normalize, scrub on)', () => core.normalize(payload, { scrub: true }));
  await b.run();
  results.push(...collect(b, 'process (100% sampling)'));
  await client.flush(5000);
}
{
  const b = bench();
  b.add('logger.info, in a request', () => core.logger.info('cart loaded', { cartId: 'c-1042', items: 3 }));
  b.add('startSpan + end, in a request (child, sampled)', () => core.startSpan({ name: 'work' }, () => 1));
  b.add('inject: getTraceHeaders() in a request', () => core.getTraceHeaders());
  b.add('setTag in a request scope', () => core.setTag('tenant', 'acme'));
  await insideRequest(() => b.run());
  results.push(...collect(b, 'in a request (100% sampling)'));
}

// ── unsampled traces (what 90% of requests cost at 10% sampling) ──
init(0);
{
  const b = bench();
  b.add('request lifecycle, unsampled', () => oneRequest({ host: 'api.example.com' }));
  await b.run();
  results.push(...collect(b, 'unsampled'));
}
{
  const b = bench();
  b.add('startSpan + end, in an unsampled request', () => core.startSpan({ name: 'work' }, () => 1));
  await insideRequest(() => b.run());
  results.push(...collect(b, 'in an unsampled request'));
}
await core.close(2000);
process.stdout.write(`${JSON.stringify({ results })}\n`);
