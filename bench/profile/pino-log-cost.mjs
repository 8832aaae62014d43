// CPU per pino log call inside a request, by configuration (discarding transport): what the
// mixin, the stream's parse/read, /logs capture and breadcrumbs each cost.
// Run pinned: taskset -c 0 node profile/pino-log-cost.mjs
import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import * as core from '@sightline/core';
import { sightlineMixin, sightlineStream } from '@sightline/pino';
import { discardTransport } from './lib.mjs';
const require = createRequire(import.meta.url);
const pino = require('pino');

core.init({
  apiKey: 'k',
  host: 'http://127.0.0.1:9',
  release: 'b@1',
  defaultIntegrations: false,
  transport: discardTransport,
});
const devNull = () => pino.destination({ dest: '/dev/null', sync: false, minLength: 4096 });
const base = { level: 'info', base: undefined };
const configs = {
  bare: () => pino(base, devNull()),
  'bare multistream': () => pino(base, pino.multistream([{ stream: devNull() }])),
  mixin: () => pino({ ...base, mixin: sightlineMixin() }, devNull()),
  'mixin + stream (logs only)': () =>
    pino(
      { ...base, mixin: sightlineMixin() },
      pino.multistream([{ stream: devNull() }, { stream: sightlineStream({ breadcrumbLevel: false }) }]),
    ),
  'mixin + stream (logs + breadcrumbs)': () =>
    pino(
      { ...base, mixin: sightlineMixin() },
      pino.multistream([{ stream: devNull() }, { stream: sightlineStream() }]),
    ),
};
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
const inRequest = (fn) => {
  const req = { method: 'GET', url: '/log', headers: { host: 'x' } };
  const res = new R();
  core.runServerRequest(req, res, fn, { framework: 'bench' });
  res.emit('close');
};
const PER = Number(process.env.PER_REQUEST ?? 1);
const results = {};
for (let round = 0; round < 5; round++) {
  for (const [name, make] of Object.entries(configs)) {
    const logger = make();
    const N = 20000;
    const one = () => logger.info({ cartId: 'c-1042', items: 3 }, 'cart loaded');
    inRequest(() => {
      for (let i = 0; i < 2000; i++) one();
    });
    const c0 = process.cpuUsage();
    // PER_REQUEST log lines per request (default 1, as in the benchmark app's /log route); the
    // lifecycle cost is the same in every row.
    for (let i = 0; i < N / PER; i++)
      inRequest(() => {
        for (let j = 0; j < PER; j++) one();
      });
    const c = process.cpuUsage(c0);
    (results[name] ??= []).push((c.user + c.system) / N);
    await new Promise((r) => setImmediate(r));
  }
}
const med = (a) => a.slice().sort((x, y) => x - y)[a.length >> 1];
const b = med(results.bare);
for (const [name, r] of Object.entries(results))
  console.log(`${name.padEnd(38)} ${med(r).toFixed(2)} µs/log  (+${(med(r) - b).toFixed(2)})`);
