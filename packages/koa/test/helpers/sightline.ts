import { type Client, type SightlineOptions, init } from '@sightline/core';
import { type IngestServer, TEST_API_KEY, startIngestServer } from '@sightline/testkit';

export interface Harness {
  server: IngestServer;
  client: Client;
  /** Flushes and returns the items of a kind. */
  flushed<T = any>(kind: Parameters<IngestServer['items']>[0]): Promise<T[]>;
  stop(): Promise<void>;
}

/** A test-kit ingest server and a client sending to it, as every adapter test sets them up. */
export async function startSightline(options: SightlineOptions = {}): Promise<Harness> {
  const server = await startIngestServer({ apiKey: TEST_API_KEY });
  const client = init({
    apiKey: TEST_API_KEY,
    host: server.url,
    flushInterval: 20,
    defaultIntegrations: false,
    release: '1.0.0',
    environment: 'test',
    service: 'koa-test',
    autoSessionTracking: false,
    ...options,
  });
  return {
    server,
    client,
    async flushed(kind) {
      await client.flush(5000);
      return server.items(kind);
    },
    async stop() {
      await client.close(2000);
      await server.stop();
    },
  };
}
