#!/usr/bin/env node
// `pnpm demo`: starts the local collector, an Express gateway and a Fastify backend (each its own
// process with its own init()), drives a short burst of traffic through them, prints what the
// collector received and keeps the UI up until Ctrl-C.
// `pnpm demo --once` exits after the summary: 0 only if the gateway -> backend trace is complete.
// Needs the packages built (`pnpm demo` runs `turbo run build` first).
import { existsSync } from 'node:fs';
import { flushService, startService, stopService } from './demo-services.mjs';
import { driveTraffic, summary, waitForTrace } from './demo-traffic.mjs';

const once = process.argv.includes('--once');
const portArg = process.argv.find((a) => a.startsWith('--port='));
const root = new URL('../', import.meta.url);
const collectorDist = new URL('packages/collector/dist/index.js', root);
// The collector requires a key, like a real backend; any string works for a local one.
const API_KEY = 'sk_local_demo';

if (!existsSync(collectorDist)) {
  console.error('The packages are not built yet: run `pnpm demo` (it builds first) or `pnpm build`.');
  process.exit(1);
}
const { startCollector } = await import(collectorDist.href);

async function listen() {
  const port = portArg ? Number(portArg.slice(7)) : once ? 0 : 7331;
  try {
    return await startCollector({ port, apiKey: API_KEY, db: ':memory:' });
  } catch (err) {
    if (err.code !== 'EADDRINUSE' || port === 0) throw err;
    console.log(`Port ${port} is taken; using a free one.`);
    return startCollector({ port: 0, apiKey: API_KEY, db: ':memory:' });
  }
}

const collector = await listen();
const services = [];
let exitCode = 1;
let failed = false;
try {
  console.log(`Sightline demo\n  collector  ${collector.url}   (UI: ${collector.url}/)`);
  const sdkEnv = { ALLSTAK_API_KEY: API_KEY, ALLSTAK_HOST: collector.url, ALLSTAK_DEBUG: 'false' };
  const backend = await startService('backend', sdkEnv);
  services.push(backend);
  console.log(`  backend    ${backend.url}   (Fastify + @sightline/fastify, logs through Pino)`);
  const gateway = await startService('gateway', { ...sdkEnv, BACKEND_URL: backend.url });
  services.push(gateway);
  console.log(`  gateway    ${gateway.url}   (Express + @sightline/express, Winston, fetch to the backend)`);

  const results = await driveTraffic(gateway.url);
  // Flush both services so the summary sees everything they queued.
  await Promise.all(services.map(flushService));
  const traced = results.find((r) => r.trace);
  const check = await waitForTrace(collector.url, traced.traceId);
  const out = await summary(collector.url, results, check);
  console.log(out.text);
  exitCode = check.problems.length === 0 ? 0 : 1;
} catch (err) {
  console.error(`demo failed: ${err.stack ?? err}`);
  failed = true;
}

async function shutdown(code) {
  await Promise.all(services.map(stopService));
  await collector.close();
  process.exit(code);
}

if (once || failed) {
  await shutdown(failed ? 1 : exitCode);
} else {
  console.log(`\nThe UI keeps serving at ${collector.url}/ - press Ctrl-C to stop.`);
  process.on('SIGINT', () => {
    console.log('\nStopping the demo...');
    void shutdown(0);
  });
  process.on('SIGTERM', () => void shutdown(0));
}
