// The request lifecycle in a tight loop (discarding transport): ns and GC ns per request.
// RATE=0 for unsampled. Run pinned: taskset -c 0 node profile/lifecycle-loop.mjs
import { EventEmitter } from 'node:events';
import { PerformanceObserver } from 'node:perf_hooks';
import * as core from '@sightline/core';
import { discardTransport } from './lib.mjs';
const rate = Number(process.env.RATE ?? 1);

core.init({
  apiKey: 'k',
  host: 'http://127.0.0.1:9',
  release: 'bench@1.0.0',
  tracesSampleRate: rate,
  defaultIntegrations: false,
  transport: discardTransport,
});
class R extends EventEmitter {
  statusCode = 200;
  headersSent = false;
  writableFinished = true;
  h = {};
  setHeader(k, v) {
    this.h[k] = v;
  }
  getHeader(k) {
    return this.h[k];
  }
}
function one() {
  const req = {
    method: 'GET',
    url: '/users/42?x=1',
    headers: { host: 'api.example.com', 'user-agent': 'bench' },
  };
  const res = new R();
  core.runServerRequest(req, res, () => core.setRequestRoute(req, '/users/:id'), { framework: 'bench' });
  res.emit('close');
}
let gc = 0;
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) gc += e.duration;
}).observe({ entryTypes: ['gc'] });
const N = 200000;
for (let i = 0; i < 30000; i++) one();
const res = [];
for (let r = 0; r < 5; r++) {
  gc = 0;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) one();
  const t = performance.now() - t0;
  await new Promise((r) => setImmediate(r));
  res.push([(t * 1e6) / N, (gc * 1e6) / N]);
}
res.sort((a, b) => a[0] - b[0]);
console.log(
  `rate ${rate}: median ${res[2][0].toFixed(0)} ns/request (gc ${res[2][1].toFixed(0)} ns), min ${res[0][0].toFixed(0)}`,
);
