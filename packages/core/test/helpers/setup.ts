import { type IngestServer, TEST_API_KEY, startIngestServer } from '@sightline/testkit';
import { afterEach, beforeEach } from 'vitest';
import { init } from '../../src/api.js';
import type { Client } from '../../src/client.js';
import type { SightlineOptions } from '../../src/options.js';

/** A real ingest server per test and a client pointed at it; both torn down after. */
export function useIngest() {
  const ctx = {} as { server: IngestServer; client: Client; start(options?: SightlineOptions): Client };
  beforeEach(async () => {
    ctx.server = await startIngestServer({ apiKey: TEST_API_KEY });
    ctx.start = (options = {}) => {
      ctx.client = init({
        apiKey: TEST_API_KEY,
        host: ctx.server.url,
        flushInterval: 20,
        defaultIntegrations: false,
        autoSessionTracking: false,
        ...options,
      });
      return ctx.client;
    };
  });
  afterEach(async () => {
    await ctx.client?.close(1000);
    await ctx.server.stop();
  });
  return ctx;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
