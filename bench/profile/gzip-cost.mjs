// CPU per gzip of a 100-span AllStak batch at several levels, on the thread pool and inline
// (run pinned: taskset -c 0 node profile/gzip-cost.mjs).
import { gzip, gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
const items = [];
for (let i = 0; i < 100; i++)
  items.push({
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    parentSpanId: '',
    operation: 'GET /users/:id',
    status: 'ok',
    durationMs: 1,
    startTimeMillis: Date.now() + i,
    endTimeMillis: Date.now() + i + 1,
    service: 'bench-fastify',
    environment: 'bench',
    release: 'bench@1.0.0',
    tags: {
      'span.kind': 'server',
      framework: 'fastify',
      'http.method': 'GET',
      'http.route': '/users/:id',
      'http.status_code': '200',
    },
  });
const body = Buffer.from(JSON.stringify({ spans: items }));
console.log('body bytes', body.length);
for (const opts of [{}, { level: 1 }, { level: 1, memLevel: 9 }, { level: 3 }]) {
  const N = 400;
  let out = 0;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((resolve) => {
    let d = 0;
    const go = () =>
      gzip(body, opts, (_e, r) => {
        out = r.length;
        if (++d === N) resolve();
        else go();
      });
    go();
  });
  const c = process.cpuUsage(c0);
  console.log(
    JSON.stringify(opts),
    `cpu ${((c.user + c.system) / N).toFixed(0)} µs/batch, wall ${(((performance.now() - t0) * 1000) / N).toFixed(0)} µs, out ${out} (${((out / body.length) * 100).toFixed(0)}%)`,
  );
}
{
  const N = 400;
  const c0 = process.cpuUsage();
  for (let i = 0; i < N; i++) gzipSync(body, { level: 1 });
  const c = process.cpuUsage(c0);
  console.log('{"level":1} inline (gzipSync)', `cpu ${((c.user + c.system) / N).toFixed(0)} µs/batch`);
}
