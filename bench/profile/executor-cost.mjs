// CPU per POST through core's http executor vs a bare keep-alive http.request, to a sink on CPU 1.
// Run pinned: taskset -c 0 node profile/executor-cost.mjs
import http from 'node:http';
import { createHttpExecutor } from '@sightline/core';
import { startRig } from '../src/rig.mjs';

const rig = await startRig({ pin: true });
const base = await rig.openSink('x');
const body = JSON.stringify({
  level: 'info',
  message: 'cart loaded',
  timestamp: new Date().toISOString(),
  service: 'bench',
  traceId: 'a'.repeat(32),
  spanId: 'b'.repeat(16),
  metadata: { cartId: 'c-1042', items: 3 },
});
const exec = createHttpExecutor();
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const bare = () =>
  new Promise((resolve, reject) => {
    const req = http.request(
      `${base}/ingest/v1/logs`,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        res.on('end', resolve);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
const viaCore = () =>
  exec({
    url: `${base}/ingest/v1/logs`,
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-allstak-key': 'k' },
    body,
  });
async function run(name, fn, n = 4000, par = 5) {
  const c0 = process.cpuUsage();
  let i = 0;
  await Promise.all(
    Array.from({ length: par }, async () => {
      while (i++ < n) await fn();
    }),
  );
  const c = process.cpuUsage(c0);
  console.log(`${name.padEnd(14)} ${((c.user + c.system) / n).toFixed(1)} µs CPU per POST`);
}
for (let r = 0; r < 3; r++) {
  await run('bare http', bare);
  await run('core executor', viaCore);
}
await rig.stop();
