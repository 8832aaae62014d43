// CPU per request with the real transport (to a sink on CPU 1) vs one that discards: what
// encoding, gzip and sending cost per item. node profile/transport-loop.mjs real|discard|gzip; LOG=1
// adds a logger.info per request. Run pinned: taskset -c 0 node profile/transport-loop.mjs real
import { EventEmitter } from 'node:events';
import { setTimeout as sleepMs } from 'node:timers/promises';
const tick = () => sleepMs(1);
import * as core from '@sightline/core';
import { startRig } from '../src/rig.mjs';
import { discardTransport } from './lib.mjs';
const mode = process.argv[2] ?? 'real';
const rig = await startRig({ pin: true });
const host = await rig.openSink('t');

const opts = {
  apiKey: 'k',
  host,
  release: 'bench@1.0.0',
  tracesSampleRate: 1,
  defaultIntegrations: false,
  ...(process.env.MAXBATCH ? { maxBatchSize: Number(process.env.MAXBATCH) } : {}),
};
if (mode === 'discard') opts.transport = discardTransport;
if (mode === 'gzip') opts.transport = (o) => core.createTransport({ ...o, compression: 'gzip' });
const client = core.init(opts);
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
const LOG = process.env.LOG === '1';
function one() {
  if (LOG) core.logger.info('cart loaded', { cartId: 'c-1042', items: 3 });
  const req = { method: 'GET', url: '/users/42', headers: { host: 'x', 'user-agent': 'bench' } };
  const res = new R();
  core.runServerRequest(req, res, () => core.setRequestRoute(req, '/users/:id'), { framework: 'bench' });
  res.emit('close');
}
for (let i = 0; i < 20000; i++) {
  one();
  if (i % 25 === 0) await tick();
}
await client.flush(10000);
const N = 100000;
const c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) {
  one();
  if (i % 25 === 0) await tick();
}
await client.flush(20000);
const c = process.cpuUsage(c0);
console.log(
  `${mode}: ${((c.user + c.system) / N).toFixed(2)} µs CPU per request (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  JSON.stringify(client.getStats().exporters.allstak?.categories?.logs ?? {}).slice(0, 140),
);
await core.close();
await rig.stop();
