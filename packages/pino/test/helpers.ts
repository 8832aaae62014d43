import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { type Client, type SightlineOptions, init, newSpanId, newTraceId } from '@sightline/core';
import { type IngestServer, TEST_API_KEY, startIngestServer } from '@sightline/testkit';
import { afterEach, beforeEach } from 'vitest';

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
        release: '1.0.0',
        ...options,
      });
      return ctx.client;
    };
  });
  afterEach(async () => {
    await ctx.client?.close(500);
    await ctx.server.stop();
  });
  return ctx;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A fresh W3C traceparent and its ids. */
export function traceparent(): { header: string; traceId: string; parentSpanId: string } {
  const traceId = newTraceId();
  const parentSpanId = newSpanId();
  return { header: `00-${traceId}-${parentSpanId}-01`, traceId, parentSpanId };
}

/** Listens on 127.0.0.1:0; returns the base URL and a closer. */
export async function listen(server: Server): Promise<{ url: string; close: () => Promise<void> }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

export { TEST_API_KEY };
