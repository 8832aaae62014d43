import { describe, expect, it } from 'vitest';
import { init } from '../src/api.js';

const count = () => ({
  sigterm: process.listenerCount('SIGTERM'),
  sigint: process.listenerCount('SIGINT'),
  uncaught: process.listenerCount('uncaughtException'),
  beforeExit: process.listenerCount('beforeExit'),
});

// Fake transport: these tests are about listeners, nothing is sent.
const transport = () => ({
  send: () => true,
  flush: async () => true,
  close: async () => true,
  getStats: () => ({ categories: {}, requests: 0, failedRequests: 0 }),
});

describe('process listeners', () => {
  it('adds no signal listener unless asked, and removes what it added at close', async () => {
    const before = count();
    const client = init({ apiKey: 'k', host: 'http://127.0.0.1:9', transport });
    expect(count()).toEqual({ ...before, uncaught: before.uncaught + 1, beforeExit: before.beforeExit + 1 });
    await client.close(100);
    expect(count()).toEqual(before);
  });

  it('signalHandlers: true adds one SIGTERM and one SIGINT listener, removed at close', async () => {
    const before = count();
    const client = init({ apiKey: 'k', host: 'http://127.0.0.1:9', transport, signalHandlers: true });
    expect(count()).toMatchObject({ sigterm: before.sigterm + 1, sigint: before.sigint + 1 });
    await client.close(100);
    expect(count()).toEqual(before);
  });
});
