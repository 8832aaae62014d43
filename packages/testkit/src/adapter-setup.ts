import { type Client, type SightlineOptions, init } from '@sightline/core';
import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { TEST_API_KEY } from './api-key.js';
import { startIngestServer } from './ingest-server.js';
import type { IngestKind, IngestServer } from './types.js';

/** A test-kit ingest server and an SDK client sending to it. */
export interface SightlineHarness {
  server: IngestServer;
  client: Client;
  /** Flushes the client, then returns the items of `kind` the server accepted. */
  flushed<T = any>(kind: IngestKind): Promise<T[]>;
  /** Closes the client, then the server. */
  stop(): Promise<void>;
}

/**
 * Starts an ingest server (checking {@link TEST_API_KEY}) and `init`s a client against it, the
 * way every framework adapter's tests set up: fast flushes, no default integrations or sessions,
 * `release: '1.0.0'`, `environment: 'test'`, `service: 'sightline-test'`. `options` win.
 * @example
 * const h = await startSightline({ service: 'express-test' });
 * const spans = await h.flushed('spans');
 * await h.stop();
 */
export async function startSightline(options: SightlineOptions = {}): Promise<SightlineHarness> {
  const server = await startIngestServer({ apiKey: TEST_API_KEY });
  const client = init({
    apiKey: TEST_API_KEY,
    host: server.url,
    flushInterval: 20,
    defaultIntegrations: false,
    release: '1.0.0',
    environment: 'test',
    service: 'sightline-test',
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

/** Which per-test hooks {@link useSightline} registers. */
export interface UseSightlineHooks {
  /**
   * Clear the server before each test and flush the client after it, so nothing a test sent
   * arrives during the next one. @default true
   */
  perTest?: boolean;
  /** After each test (with `perTest`), expect that no body the server got failed validation. @default false */
  expectValid?: boolean;
}

/**
 * {@link startSightline} once for the file (`beforeAll`), stopped in `afterAll`, with the
 * per-test hooks of `hooks`. Returns a view of the harness that is usable inside tests and hooks.
 * @example
 * const h = useSightline({ service: 'koa-test' }, { expectValid: true });
 * it('…', async () => { expect(await h.flushed('spans')).toHaveLength(1); });
 */
export function useSightline(
  options: SightlineOptions = {},
  hooks: UseSightlineHooks = {},
): SightlineHarness {
  let started: SightlineHarness | undefined;
  const current = (): SightlineHarness => {
    if (!started)
      throw new Error('useSightline: the harness starts in beforeAll; use it inside tests and hooks');
    return started;
  };
  beforeAll(async () => {
    started = await startSightline(options);
  });
  afterAll(async () => {
    await started?.stop();
  });
  if (hooks.perTest !== false) {
    beforeEach(() => {
      current().server.clear();
    });
    afterEach(async () => {
      await current().client.flush(5000);
      if (hooks.expectValid) expect(current().server.invalid).toEqual([]);
    });
  }
  return {
    get server() {
      return current().server;
    },
    get client() {
      return current().client;
    },
    flushed: (kind) => current().flushed(kind),
    stop: () => current().stop(),
  };
}
