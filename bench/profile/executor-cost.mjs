// CPU per POST through core's http executor vs a bare keep-alive http.request, to a sink on CPU 1.
// Run pinned: taskset -c 0 node profile/executor-cost.mjs   (N=requests per round, ROUNDS=rounds)
// The clients alternate, so drift on a shared machine hits them alike; the first round of each
// includes JIT warm-up, so read the later ones. "raw socket floor" writes a fixed request on
// kept-alive net sockets and counts a response per read without parsing anything: the syscalls
// and event-loop turns any client pays, to read the others against.
import http from 'node:http';
import net from 'node:net';
import { createHttpExecutor } from '@sightline/core';
import { startRig } from '../src/rig.mjs';

const N = Number(process.env.N ?? 10_000);
const ROUNDS = Number(process.env.ROUNDS ?? 4);
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
const { port } = new URL(base);
const rawRequest = `POST /ingest/v1/logs HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: keep-alive\r\n\r\n${body}`;
const rawSockets = [];
const rawFloor = () =>
  new Promise((resolve) => {
    let s = rawSockets.pop();
    if (s === undefined) {
      const sock = net.connect({
        host: '127.0.0.1',
        port: Number(port),
        onread: {
          buffer: Buffer.alloc(16384),
          callback: () => {
            // The sink's answers are small: one read is one response.
            const done = s.done;
            rawSockets.push(s);
            done();
            return true;
          },
        },
      });
      sock.setNoDelay(true);
      s = { sock, done: undefined };
    }
    s.done = resolve;
    s.sock.write(rawRequest);
  });
async function run(name, fn, n = N, par = 5) {
  const c0 = process.cpuUsage();
  let i = 0;
  await Promise.all(
    Array.from({ length: par }, async () => {
      while (i++ < n) await fn();
    }),
  );
  const c = process.cpuUsage(c0);
  const per = (us) => (us / n).toFixed(1);
  console.log(
    `${name.padEnd(17)} ${per(c.user + c.system)} µs CPU per POST (user ${per(c.user)}, system ${per(c.system)})`,
  );
}
for (let r = 0; r < ROUNDS; r++) {
  await run('bare http', bare);
  await run('core executor', viaCore);
  await run('raw socket floor', rawFloor);
}
for (const s of rawSockets) s.sock.destroy();
await rig.stop();
