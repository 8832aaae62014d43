import { type Client, captureException, init } from '@sightline/core';
import { collectOutput } from '@sightline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { errsightExporter } from '../src/index.js';
import { resolveErrSightOptions } from '../src/options.js';
import { type ErrSightServer, READ_KEY, WRITE_KEY, startErrSightServer } from './helpers/errsight-server.js';

/** Configuration: environment variables, defaults, validation, no-key no-op, transport security, secrecy. */

let server: ErrSightServer;
let client: Client | undefined;
const ENV_KEYS = ['ERRSIGHT_API_KEY', 'ERRSIGHT_ENV', 'ERRSIGHT_HOST', 'ERRSIGHT_RELEASE', 'ERRSIGHT_DEBUG'];
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  server = await startErrSightServer();
  for (const k of ENV_KEYS) saved[k] = process.env[k];
});

afterEach(async () => {
  await client?.close(500);
  client = undefined;
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  server.events.length = 0;
  server.attempts.length = 0;
});

afterAll(async () => {
  await server.stop();
});

const base = { service: 'billing', defaultIntegrations: false } as const;

describe('environment variables and defaults', () => {
  it('reads ERRSIGHT_API_KEY, ERRSIGHT_HOST, ERRSIGHT_ENV and ERRSIGHT_RELEASE', async () => {
    process.env.ERRSIGHT_API_KEY = WRITE_KEY;
    process.env.ERRSIGHT_HOST = `${server.url}/`;
    process.env.ERRSIGHT_ENV = 'qa';
    process.env.ERRSIGHT_RELEASE = 'r-77';
    client = init({
      ...base,
      environment: 'production',
      release: '1.0.0',
      exporters: [errsightExporter({ flushInterval: 20 })],
    });
    captureException(new Error('from env'));
    expect(await client.flush(3000)).toBe(true);
    expect(server.events).toEqual([
      expect.objectContaining({ message: 'Error: from env', environment: 'qa', release: 'r-77' }),
    ]);
    expect(server.attempts[0]?.headers['x-api-key']).toBe(WRITE_KEY);
  });

  it("falls back to the client's environment and release; options win over variables", async () => {
    process.env.ERRSIGHT_ENV = 'qa';
    client = init({
      ...base,
      environment: 'production',
      release: '1.0.0',
      exporters: [
        errsightExporter({ apiKey: WRITE_KEY, host: server.url, environment: 'canary', flushInterval: 20 }),
      ],
    });
    captureException(new Error('opts'));
    expect(await client.flush(3000)).toBe(true);
    expect(server.events).toEqual([expect.objectContaining({ environment: 'canary', release: '1.0.0' })]);
  });

  it('defaults: errsight.com, batch 10, 2 s, queue 1000, 512 KB, minLevel warning', () => {
    const o = resolveErrSightOptions({}, {});
    expect(o).toMatchObject({
      apiKey: undefined,
      host: 'https://errsight.com',
      batchSize: 10,
      flushInterval: 2000,
      maxQueueSize: 1000,
      maxPayloadBytes: 524_288,
      minLevel: 'warning',
      debug: false,
    });
    expect(resolveErrSightOptions({}, { ERRSIGHT_DEBUG: 'true' }).debug).toBe(true);
    expect(resolveErrSightOptions({}, { ERRSIGHT_DEBUG: '0' }).debug).toBe(false);
  });

  it.each([
    [{ batchSize: 101 }, 'batchSize'],
    [{ batchSize: 0 }, 'batchSize'],
    [{ minLevel: 'warn' }, 'minLevel'],
    [{ host: 'ftp://errsight.com' }, 'host'],
    [{ apiKey: READ_KEY }, 'apiKey'],
    [{ apiKey: 'has space' }, 'apiKey'],
    [{ maxPayloadBytes: 600 * 1024 }, 'maxPayloadBytes'],
  ])('rejects %j with a TypeError naming %s (never the key)', (opts, name) => {
    expect(() => errsightExporter(opts as never)).toThrow(TypeError);
    expect(() => errsightExporter(opts as never)).toThrow(`\`${name}\``);
    try {
      errsightExporter(opts as never);
    } catch (e) {
      expect(String((e as Error).message)).not.toContain(READ_KEY);
    }
  });
});

describe('no key, no traffic', () => {
  it('without a key the exporter is a no-op that says so in debug mode', async () => {
    delete process.env.ERRSIGHT_API_KEY;
    const out = collectOutput();
    try {
      client = init({ ...base, exporters: [errsightExporter({ host: server.url, debug: true })] });
      captureException(new Error('nobody listens'));
      expect(await client.flush(500)).toBe(true);
    } finally {
      out.restore();
    }
    expect(server.attempts).toEqual([]);
    expect(client.getStats().exporters.errsight).toMatchObject({ enabled: false });
    expect(out.text()).toContain('no ErrSight API key');
  });

  it('an unusable ERRSIGHT_API_KEY (a read key) disables the exporter instead of failing start', async () => {
    process.env.ERRSIGHT_API_KEY = READ_KEY;
    client = init({ ...base, exporters: [errsightExporter({ host: server.url })] });
    captureException(new Error('x'));
    expect(await client.flush(500)).toBe(true);
    expect(server.attempts).toEqual([]);
  });
});

describe('transport security and secrecy', () => {
  it('warns once for a plain-http host that is not loopback, unless allowInsecureTransport', async () => {
    const warnings: { message: string; code?: string }[] = [];
    const onWarning = (w: Error & { code?: string }) => warnings.push({ message: w.message, code: w.code });
    process.on('warning', onWarning);
    try {
      errsightExporter({ apiKey: WRITE_KEY, host: 'http://127.0.0.1:9' });
      errsightExporter({ apiKey: WRITE_KEY, host: 'http://localhost:9' });
      errsightExporter({ apiKey: WRITE_KEY, host: 'http://errsight.internal', allowInsecureTransport: true });
      errsightExporter({ apiKey: WRITE_KEY, host: 'https://errsight.internal' });
      errsightExporter({ host: 'http://errsight.internal' });
      // emitWarning delivers on a later tick.
      await new Promise((r) => setTimeout(r, 10));
      expect(warnings.filter((w) => w.code === 'SIGHTLINE_ERRSIGHT_INSECURE_HOST')).toEqual([]);
      errsightExporter({ apiKey: WRITE_KEY, host: 'http://errsight.internal' });
      errsightExporter({ apiKey: WRITE_KEY, host: 'http://errsight.other' });
      await new Promise((r) => setTimeout(r, 10));
    } finally {
      process.off('warning', onWarning);
    }
    const ours = warnings.filter((w) => w.code === 'SIGHTLINE_ERRSIGHT_INSECURE_HOST');
    expect(ours).toHaveLength(1);
    expect(ours[0]?.message).toContain('plain http');
    expect(ours[0]?.message).not.toContain(WRITE_KEY);
  });

  it('the API key never appears in debug output or stats, even when requests fail', async () => {
    process.env.ERRSIGHT_DEBUG = 'true';
    server.script({ status: 401 }, { status: 413 }, { status: 500 });
    const out = collectOutput();
    try {
      client = init({
        ...base,
        debug: true,
        exporters: [
          errsightExporter({
            apiKey: WRITE_KEY,
            host: server.url,
            flushInterval: 20,
            transport: { retryBaseMs: 5 },
          }),
        ],
      });
      captureException(new Error(`message mentioning nothing secret`));
      captureException(new Error('second'));
      expect(await client.flush(3000)).toBe(true);
      captureException(new Error('third'));
      expect(await client.flush(3000)).toBe(true);
    } finally {
      out.restore();
    }
    expect(out.text()).toContain('errsight');
    expect(out.text()).not.toContain(WRITE_KEY);
    expect(JSON.stringify(client.getStats())).not.toContain(WRITE_KEY);
  });
});
