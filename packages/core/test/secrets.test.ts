import { TEST_API_KEY, collectOutput, startIngestServer } from '@sightline/testkit';
import { describe, expect, it } from 'vitest';
import { captureException, init, logger } from '../src/api.js';
import { resolveOptions } from '../src/options.js';

describe('the API key never appears in output', () => {
  it('not in debug logs, stats, errors or warnings, even when the backend fails', async () => {
    const server = await startIngestServer({ apiKey: TEST_API_KEY });
    server.respond({ status: 500, body: `echo ${TEST_API_KEY}` });
    const out = collectOutput();
    let client: ReturnType<typeof init> | undefined;
    try {
      client = init({ apiKey: TEST_API_KEY, host: server.url, debug: true, flushInterval: 10, defaultIntegrations: false });
      captureException(new Error(`message containing ${TEST_API_KEY}`));
      logger.error(`log containing ${TEST_API_KEY}`);
      await client.flush(500);
      const stats = JSON.stringify(client.getStats());
      expect(stats).not.toContain(TEST_API_KEY);
      // A plain-http public host: warned about, but this fake transport sends nothing anywhere.
      const sent: unknown[] = [];
      const insecure = init({
        apiKey: TEST_API_KEY,
        host: 'http://ingest.example.test',
        debug: true,
        defaultIntegrations: false,
        transport: () => ({
          send: (_c, item) => sent.push(item) > 0,
          flush: async () => true,
          close: async () => true,
          getStats: () => ({ categories: {}, requests: 0, failedRequests: 0 }),
        }),
      });
      await new Promise((r) => setImmediate(r));
      await insecure.close(100);
      try {
        resolveOptions({ apiKey: TEST_API_KEY, sampleRate: 5 });
      } catch (err) {
        console.error(String(err));
      }
    } finally {
      await client?.close(200);
      out.restore();
      await server.stop();
    }
    const text = out.text();
    expect(text).toContain('[sightline]');
    expect(text).not.toContain(TEST_API_KEY);
    expect(text).toContain('plain http on a non-loopback address');
  });
});
