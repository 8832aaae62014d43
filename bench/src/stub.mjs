// The outbound target of the `/fetch` route: a bare node:http server answering a small JSON
// body. Its own process, so its CPU never counts against the server under test.
import http from 'node:http';

const body = JSON.stringify({ sku: 'A-1', price: 42, currency: 'EUR', stock: 7 });
const server = http.createServer({ keepAliveTimeout: 30_000 }, (_req, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
});
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  if (process.send) process.send({ ready: true, port });
  else console.log(`stub listening on http://127.0.0.1:${port}`);
});
process.on('message', (msg) => {
  if (msg?.cmd === 'exit') process.exit(0);
});
process.on('disconnect', () => process.exit(0));
