import { type Client, type SightlineOptions, init } from '@sightline/core';
import { afterEach, beforeEach, expect } from 'vitest';
import { TEST_API_KEY } from './api-key.js';
import { startIngestServer } from './ingest-server.js';
import type { IngestServer } from './types.js';

/** What {@link useIngest} gives each test. */
export interface IngestContext {
  /** This test's ingest server (checks {@link TEST_API_KEY}). */
  server: IngestServer;
  /** The client of the last `start()`, if the test started one. */
  client: Client;
  /** `init`s a client against `server`: the defaults of `useIngest`, then `options`. */
  start(options?: SightlineOptions): Client;
}

/**
 * A fresh ingest server per test (`beforeEach`) and a client the test starts when it wants one;
 * both torn down in `afterEach`, which also fails the test if any body sent was invalid. Clients flush every 20 ms with no default integrations or
 * sessions; `defaults` and then each `start()`'s options win.
 * @param closeTimeoutMs how long teardown waits for the client to flush. @default 1000
 * @example
 * const t = useIngest({ release: '1.0.0' });
 * it('…', async () => { t.start(); logger.info('x'); await t.server.waitFor('logs', 1); });
 */
export function useIngest(defaults: SightlineOptions = {}, closeTimeoutMs = 1000): IngestContext {
  const ctx = {} as IngestContext;
  beforeEach(async () => {
    ctx.server = await startIngestServer({ apiKey: TEST_API_KEY });
    ctx.start = (options = {}) => {
      ctx.client = init({
        apiKey: TEST_API_KEY,
        host: ctx.server.url,
        flushInterval: 20,
        defaultIntegrations: false,
        autoSessionTracking: false,
        ...defaults,
        ...options,
      });
      return ctx.client;
    };
  });
  afterEach(async () => {
    await ctx.client?.close(closeTimeoutMs);
    await ctx.server.stop();
    // Every body the SDK sent must match the wire format, whatever the test itself asserted.
    expect(ctx.server.invalid).toEqual([]);
  });
  return ctx;
}
