import http from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  type Client,
  type SightlineOptions,
  type TransportStats,
  createHttpExecutor,
  createTransport,
  init,
} from '@sightline/core';
import { type IngestServer, TEST_API_KEY, startIngestServer } from '@sightline/testkit';
import { createApp } from '../fixtures/app.mjs';
import { percentile, round } from './results.js';

export interface Harness {
  server: IngestServer;
  client: Client;
  /** Base URL of the instrumented Express app. */
  appUrl: string;
  /** The transport's own counters (the AllStak exporter's). */
  transport(): TransportStats;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  sdk?: SightlineOptions;
  /** Per-request deadline of the transport; undefined keeps the SDK default. */
  requestTimeoutMs?: number;
  errorEvery?: number;
  server?: IngestServer;
}

/** A real ingest server, an Express app instrumented with Sightline, both on 127.0.0.1. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const server = options.server ?? (await startIngestServer({ apiKey: TEST_API_KEY }));
  const timeoutMs = options.requestTimeoutMs;
  const client = init({
    apiKey: TEST_API_KEY,
    host: server.url,
    release: '1.0.0',
    flushInterval: 50,
    defaultIntegrations: false,
    autoSessionTracking: false,
    // The only public way to change the transport's deadline: wrap the default factory.
    ...(timeoutMs === undefined
      ? {}
      : { transport: (o) => createTransport({ ...o, executor: createHttpExecutor({ timeoutMs }) }) }),
    ...options.sdk,
  });
  const app = http.createServer(createApp({ errorEvery: options.errorEvery ?? 10 }));
  await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
  const appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
  return {
    server,
    client,
    appUrl,
    transport: () => client.getStats().exporters.allstak as TransportStats,
    async stop() {
      await client.close(500);
      app.closeAllConnections();
      await new Promise((r) => app.close(r));
      await server.stop();
    },
  };
}

export interface DriveResult {
  requests: number;
  ok: number;
  failed: number;
  /** Sorted, ms. */
  latencies: number[];
}

/**
 * A bounded load loop on loopback: `concurrency` workers issue `GET <url>/work/<n>` back to back
 * until `count` requests were made or `durationMs` passed.
 */
export async function drive(
  url: string,
  opts: { count?: number; durationMs?: number; concurrency?: number; path?: string; paceMs?: number },
): Promise<DriveResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.concurrency ?? 8 });
  const deadline = opts.durationMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + opts.durationMs;
  const max = opts.count ?? Number.POSITIVE_INFINITY;
  let issued = 0;
  let ok = 0;
  let failed = 0;
  const latencies: number[] = [];
  const one = (n: number) =>
    new Promise<void>((resolve) => {
      const start = performance.now();
      const req = http.get(`${url}${opts.path ?? '/work/'}${n}`, { agent }, (res) => {
        res.resume();
        res.on('end', () => {
          latencies.push(performance.now() - start);
          if (res.statusCode === 200) ok++;
          else failed++;
          resolve();
        });
      });
      req.on('error', () => {
        failed++;
        resolve();
      });
    });
  const worker = async () => {
    while (issued < max && Date.now() < deadline) {
      await one(issued++);
      if (opts.paceMs) await sleep(opts.paceMs);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 8 }, worker));
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return { requests: ok + failed, ok, failed, latencies };
}

export function latencySummary(r: DriveResult) {
  return {
    p50: round(percentile(r.latencies, 50), 2),
    p99: round(percentile(r.latencies, 99), 2),
    max: round(r.latencies[r.latencies.length - 1] ?? 0, 2),
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `cond` holds; throws after `timeoutMs`. */
export async function until(cond: () => boolean, timeoutMs: number, what = 'condition'): Promise<void> {
  const start = Date.now();
  while (!cond()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await sleep(10);
  }
}

/** The AllStak categories the fixture app fills, in report order. */
export const APP_KINDS = ['errors', 'logs', 'spans', 'http-requests'] as const;
export type AppKind = (typeof APP_KINDS)[number];

/** Per-category counter deltas between two transport snapshots. */
export function delta(before: TransportStats, after: TransportStats, kind: string) {
  const a = before.categories[kind]!;
  const b = after.categories[kind]!;
  return {
    enqueued: b.enqueued - a.enqueued,
    delivered: b.delivered - a.delivered,
    retries: b.retries - a.retries,
    droppedQueueFull: b.droppedQueueFull - a.droppedQueueFull,
    droppedPermanent: b.droppedPermanent - a.droppedPermanent,
    droppedRetriesExhausted: b.droppedRetriesExhausted - a.droppedRetriesExhausted,
    droppedClosed: b.droppedClosed - a.droppedClosed,
  };
}
