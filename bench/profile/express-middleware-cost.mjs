// CPU cost of Sightline's Express middleware up to the moment it hands over to the next layer,
// timed inside a live Express 5 server under 32 concurrent keep-alive clients (in-process
// timings are far steadier than throughput on a shared machine). Prints three rounds in ns.
// node profile/express-middleware-cost.mjs [checkout root, default this repo] — run it against
// two checkouts (`git worktree add`, install, build) to compare builds.
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { discardTransport } from './lib.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, '..', '..'));
const require = createRequire(import.meta.url);
const load = (m) => require(require.resolve(m, { paths: [path.join(root, 'bench')] }));
const core = load('@sightline/core');
const { sightlineRequestHandler } = load('@sightline/express');
const express = load('express');

core.init({ apiKey: 'bench-not-a-secret', host: 'http://127.0.0.1:9', transport: discardTransport });
const app = express();
const middleware = sightlineRequestHandler();
let total = 0;
let count = 0;
app.use((req, res, next) => {
  const t = process.hrtime.bigint();
  middleware(req, res, () => {
    total += Number(process.hrtime.bigint() - t);
    count++;
    next();
  });
});
app.get('/users/:id', (req, res) => res.json({ id: req.params.id }));

const server = app.listen(0, '127.0.0.1', async () => {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const { port } = server.address();
  const one = () =>
    new Promise((resolve) =>
      http.get({ host: '127.0.0.1', port, path: '/users/1', agent }, (res) => res.resume().on('end', resolve)),
    );
  const client = async () => {
    for (let i = 0; i < 400; i++) await one();
  };
  const rounds = [];
  for (let k = 0; k < 4; k++) {
    total = 0;
    count = 0;
    await Promise.all(Array.from({ length: 32 }, client));
    if (k > 0) rounds.push(Math.round(total / count)); // the first round warms up
  }
  console.log(`${rounds.join(' ')} ns per request in the middleware before next() (${root})`);
  server.close();
  process.exit(0);
});
