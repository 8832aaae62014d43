// Which parts of an http executor cost CPU per POST (URL parse, deadline timer, socket unref,
// close listener, response headers), each left out in turn. Run pinned: taskset -c 0 node profile/executor-parts.mjs
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
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
const urlStr = `${base}/ingest/v1/logs`;
const cached = new URL(urlStr);
function make({ url = true, timer = true, sock = true, close = true, hdrs = true }) {
  return () =>
    new Promise((resolve, reject) => {
      const u = url ? new URL(urlStr) : cached;
      const b = Buffer.from(body, 'utf8');
      let settled = false;
      let deadline;
      const fail = (e) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        reject(e);
      };
      const req = http.request(
        u,
        {
          method: 'POST',
          agent,
          headers: {
            'content-type': 'application/json',
            'x-allstak-key': 'k',
            'content-length': String(b.byteLength),
          },
        },
        (res) => {
          res.on('error', fail);
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(deadline);
            const h = {};
            if (hdrs)
              for (const [k, v] of Object.entries(res.headers)) h[k] = Array.isArray(v) ? v.join(', ') : v;
            resolve({ status: res.statusCode, headers: h });
          });
          res.resume();
        },
      );
      if (timer) {
        deadline = setTimeout(() => req.destroy(new Error('t')), 10000);
        deadline.unref();
      }
      if (sock) req.on('socket', (s) => s.unref());
      req.on('error', fail);
      if (close) req.on('close', () => fail(new Error('closed')));
      req.end(b);
    });
}
const variants = {
  core: createHttpExecutor(),
  all: make({}),
  noUrl: make({ url: false }),
  noTimer: make({ timer: false }),
  noSock: make({ sock: false }),
  noClose: make({ close: false }),
  noHdrs: make({ hdrs: false }),
  none: make({ url: false, timer: false, sock: false, close: false, hdrs: false }),
};
const coreReq = {
  url: urlStr,
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-allstak-key': 'k' },
  body,
};
async function run(name, fn, n = 3000, par = 5) {
  const c0 = process.cpuUsage();
  let i = 0;
  await Promise.all(
    Array.from({ length: par }, async () => {
      while (i++ < n) await (name === 'core' ? fn(coreReq) : fn());
    }),
  );
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / n;
}
const res = {};
for (let r = 0; r < 5; r++)
  for (const [k, f] of Object.entries(variants)) (res[k] ??= []).push(await run(k, f));
for (const [k, v] of Object.entries(res)) {
  v.sort((a, b) => a - b);
  console.log(k.padEnd(8), v[2].toFixed(1), 'µs/POST (median of 5)');
}
await rig.stop();
