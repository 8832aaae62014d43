import { type Client, type SightlineOptions, init } from '@sightline/core';
import { type IngestServer, TEST_API_KEY, startIngestServer } from '@sightline/testkit';

// Ids and patterns are the test kit's, shared with the other adapters' tests.
export { HEX16, HEX32, type TraceParent, traceparent } from '@sightline/testkit';

export interface Telemetry {
  server: IngestServer;
  client: Client;
  stop(): Promise<void>;
}

export const RELEASE = '1.0.0';
export const ENVIRONMENT = 'test';
export const SERVICE = 'nest-test';

/** The options every suite initialises with (fast flushes, no process hooks). */
export function testOptions(server: IngestServer, extra: SightlineOptions = {}): SightlineOptions {
  return {
    apiKey: TEST_API_KEY,
    host: server.url,
    flushInterval: 20,
    defaultIntegrations: false,
    release: RELEASE,
    environment: ENVIRONMENT,
    service: SERVICE,
    ...extra,
  };
}

/** A real ingest server and a client sending to it (the module then reuses this client). */
export async function startTelemetry(extra: SightlineOptions = {}): Promise<Telemetry> {
  const server = await startIngestServer();
  const client = init(testOptions(server, extra));
  return {
    server,
    client,
    async stop() {
      await client.close(2000);
      await server.stop();
    },
  };
}

/** Items of `kind` belonging to one request (by request id), once `n` of them arrived. */
export async function itemsFor<T = any>(
  server: IngestServer,
  kind: 'errors' | 'logs' | 'http-requests',
  requestId: string,
  n = 1,
): Promise<T[]> {
  const mine = (i: T) => (i as { requestId?: string }).requestId === requestId;
  const all = await server.waitFor<T>(kind, (items) => items.filter(mine).length >= n);
  return all.filter(mine);
}
