// Hammers one transfer endpoint with concurrent requests and prints the race report.
//
//   node src/hammer.mjs racy     # exit code 1: races on account:alice.balance / account:bob.balance
//   node src/hammer.mjs fixed    # exit code 0: no races
//
// Options: --requests N (default 20), --sequential (one request at a time: never a race).
// It starts the app and a throwaway Raceway-compatible receiver in this process; to watch the
// events in the Sightline collector instead, run the app with RACEWAY_URL pointing at it.
import { once } from 'node:events';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import { analyzeRaces, formatRaceReport } from '@sightline/raceway/analysis';
import { start } from './app.mjs';

/** Sends `requests` transfers of 10 from alice to bob, all at once or one after another. */
export async function hammer(url, { endpoint = 'racy', requests = 20, sequential = false } = {}) {
  const send = () =>
    fetch(`${url}/transfer/${endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: 'alice', to: 'bob', amount: 10 }),
    }).then((r) => r.json());
  if (sequential) {
    const out = [];
    for (let i = 0; i < requests; i++) out.push(await send());
    return out;
  }
  return Promise.all(Array.from({ length: requests }, send));
}

/** A minimal `POST /events` receiver that keeps the events in memory. */
export async function startEventSink() {
  const events = [];
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        if (req.url === '/events' && Array.isArray(body.events)) {
          events.push(...body.events);
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(
            JSON.stringify({ success: true, data: `Ingested ${body.events.length} events`, error: null }),
          );
          return;
        }
      } catch {}
      res.writeHead(400).end();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    events,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const endpoint = args.find((a) => a === 'racy' || a === 'fixed') ?? 'racy';
  const n = args.indexOf('--requests');
  const requests = n === -1 ? 20 : Number(args[n + 1]);
  const sink = await startEventSink();
  const app = await start({ port: 0, racewayUrl: sink.url });
  await hammer(app.url, { endpoint, requests, sequential: args.includes('--sequential') });
  const balances = app.ledger.snapshot();
  await app.close();
  await sink.close();
  const report = analyzeRaces(sink.events);
  console.log(
    `POST /transfer/${endpoint} × ${requests}: alice ${balances.alice}, bob ${balances.bob} (started at 1000 each)\n`,
  );
  console.log(formatRaceReport(report));
  process.exitCode = report.raceCount > 0 ? 1 : 0;
}
