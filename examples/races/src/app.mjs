// A bank with a lost-update bug, and the same bank fixed with a lock. Run it with
// `node src/app.mjs` after `pnpm build` (the workspace packages are consumed through `dist/`):
//
//   RACEWAY_URL=http://127.0.0.1:8080 PORT=3000 node src/app.mjs
//
// RACEWAY_URL is a Raceway server or the Sightline collector (both take POST /events). Without it
// the app still serves requests and nothing is recorded. `node src/hammer.mjs` shows the race.
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { init } from '@sightline/core';
import { setupExpressErrorHandler, sightlineRequestHandler } from '@sightline/express';
import { racewayClockPropagator, racewayExporter, trackStateChange, withLock } from '@sightline/raceway';
import express from 'express';

/** An in-memory ledger whose every balance access is reported to Raceway. */
export function createLedger(initial = { alice: 1000, bob: 1000 }) {
  const balances = new Map(Object.entries(initial));
  return {
    read(id) {
      const value = balances.get(id);
      trackStateChange(`account:${id}.balance`, value, value, 'Read');
      return value;
    },
    write(id, value) {
      const old = balances.get(id);
      balances.set(id, value);
      trackStateChange(`account:${id}.balance`, old, value, 'Write');
    },
    snapshot: () => Object.fromEntries(balances),
  };
}

// Stands in for any await between reading and writing (a fraud check, a database round trip):
// it is where another request's transfer slips in.
const fraudCheck = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The app, without listening: tests mount it on their own server. */
export function createApp({ ledger = createLedger(), checkMs = 5 } = {}) {
  const app = express();
  app.use(sightlineRequestHandler());
  app.use(express.json());

  function parse(req, res) {
    const { from, to, amount } = req.body ?? {};
    const known = ledger.snapshot();
    if (!(from in known) || !(to in known) || from === to || !Number.isInteger(amount) || amount <= 0) {
      res
        .status(400)
        .json({ error: 'expected { from, to, amount } with two known accounts and a positive integer' });
      return undefined;
    }
    return { from, to, amount };
  }

  async function transfer({ from, to, amount }) {
    const a = ledger.read(from);
    const b = ledger.read(to);
    await fraudCheck(checkMs);
    if (a < amount) return { ok: false, reason: 'insufficient funds' };
    ledger.write(from, a - amount);
    ledger.write(to, b + amount);
    return { ok: true };
  }

  // The bug: read, await, write back. Two concurrent transfers both read the old balance and the
  // second write overwrites the first (a lost update).
  app.post('/transfer/racy', async (req, res) => {
    const t = parse(req, res);
    if (t) res.json(await transfer(t));
  });

  // The fix: the whole read-modify-write holds both accounts' locks, always taken in the same
  // order (alphabetical) so two opposite transfers cannot deadlock.
  app.post('/transfer/fixed', async (req, res) => {
    const t = parse(req, res);
    if (!t) return;
    const [first, second] = [t.from, t.to].sort();
    const result = await withLock(`account:${first}`, () => withLock(`account:${second}`, () => transfer(t)));
    res.json(result);
  });

  app.get('/balances', (_req, res) => {
    res.json(ledger.snapshot());
  });

  setupExpressErrorHandler(app);
  return app;
}

/**
 * Initializes Sightline (Raceway exporter when RACEWAY_URL is set) and starts listening.
 * Resolves with the server, its URL, the client, the ledger and a `close()` that flushes.
 */
export async function start({
  port = Number(process.env.PORT ?? 3000),
  host = '127.0.0.1',
  racewayUrl = process.env.RACEWAY_URL,
  transport,
  checkMs,
} = {}) {
  const client = init({
    service: 'example-races',
    apiKey: process.env.ALLSTAK_API_KEY,
    host: process.env.ALLSTAK_HOST,
    exporters: racewayUrl
      ? [racewayExporter({ url: racewayUrl, apiKey: process.env.RACEWAY_API_KEY, transport })]
      : [],
    // The propagator object works with or without the exporter (the name needs the exporter).
    propagators: ['w3c', 'allstak', racewayClockPropagator],
    defaultIntegrations: false,
  });
  const ledger = createLedger();
  const server = createApp({ ledger, checkMs }).listen(port, host);
  await once(server, 'listening');
  const address = server.address();
  const url = `http://${host}:${typeof address === 'object' && address ? address.port : port}`;
  return {
    server,
    url,
    client,
    ledger,
    async close() {
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
      await client.close(2000);
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { url } = await start();
  console.log(`example-races listening on ${url}`);
}
