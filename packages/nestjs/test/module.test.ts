import { Injectable, Module } from '@nestjs/common';
import { getCurrentClient, init } from '@sightline/core';
import { type IngestServer, startIngestServer } from '@sightline/testkit';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SightlineModule } from '../src/index.js';
import { type RunningApp, startApp } from './helpers/app.js';
import { send } from './helpers/http.js';
import { PLATFORMS } from './helpers/nest.js';
import { HEX32, itemsFor, testOptions } from './helpers/telemetry.js';

@Injectable()
class TelemetrySettings {
  static url = '';
  readonly options = () => ({ url: TelemetrySettings.url });
}

@Module({ providers: [TelemetrySettings], exports: [TelemetrySettings] })
class SettingsModule {}

/** `forRoot` / `forRootAsync`, client ownership, options and sessions. */
describe.each(PLATFORMS)('SightlineModule (%s)', (platform) => {
  let server: IngestServer;
  let app: RunningApp | undefined;

  beforeAll(async () => {
    server = await startIngestServer();
    TelemetrySettings.url = server.url;
  });

  afterEach(async () => {
    await app?.close();
    app = undefined;
    await getCurrentClient()?.close(2000);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('initialises Sightline from its options when the app has not, and closes that client with the app', async () => {
    await getCurrentClient()?.close(0);
    app = await startApp({ platform, sightline: testOptions(server) });
    const client = getCurrentClient()!;
    expect(client.enabled).toBe(true);
    const r = await send(app.url, '/users/1');
    expect(r.traceId).toMatch(HEX32);
    const [record] = await itemsFor(server, 'http-requests', r.requestId!);
    expect(record.path).toBe('/users/:id');
    await app.close();
    app = undefined;
    expect(client.isClosed()).toBe(true);
  });

  it('reuses the client the app initialised itself, and leaves it open on app.close()', async () => {
    const client = init(testOptions(server, { service: 'reused' }));
    app = await startApp({ platform, sightline: { apiKey: 'ignored-because-reused', service: 'not-used' } });
    expect(getCurrentClient()).toBe(client);
    const r = await send(app.url, '/users/2');
    const [record] = await itemsFor(server, 'http-requests', r.requestId!);
    expect(record.service).toBe('reused');
    await app.close();
    app = undefined;
    expect(client.isClosed()).toBe(false);
  });

  it('takes its options from forRootAsync (factory with injected providers and imports)', async () => {
    await getCurrentClient()?.close(0);
    const sightline = SightlineModule.forRootAsync({
      imports: [SettingsModule],
      inject: [TelemetrySettings],
      useFactory: async (settings: TelemetrySettings) =>
        testOptions(server, { host: settings.options().url, service: 'async' }),
    });
    app = await startApp({ platform, sightline });
    const r = await send(app.url, '/users/3/sync-error');
    expect(r.status).toBe(500);
    const [record] = await itemsFor(server, 'http-requests', r.requestId!);
    const [error] = await itemsFor(server, 'errors', r.requestId!);
    expect(record).toMatchObject({ service: 'async', path: '/users/:id/sync-error' });
    expect(error).toMatchObject({ message: 'sync failure 3', user: { id: '3' } });
  });

  it('applies shouldCapture (here: 4xx reported too, with their status)', async () => {
    init(testOptions(server));
    const seen: number[] = [];
    app = await startApp({
      platform,
      sightline: {
        shouldCapture: (_e, status) => {
          seen.push(status);
          return status >= 400;
        },
      },
    });
    const r = await send(app.url, '/users/4/not-found');
    expect(r.status).toBe(404);
    const [error] = await itemsFor(server, 'errors', r.requestId!);
    expect(error).toMatchObject({ exceptionClass: 'NotFoundException', message: 'user 4 not found' });
    expect(seen).toEqual([404]);
  });

  it('answers unchanged when shouldCapture throws', async () => {
    init(testOptions(server));
    app = await startApp({
      platform,
      sightline: {
        shouldCapture: () => {
          throw new Error('bad callback');
        },
      },
    });
    const r = await send(app.url, '/users/5/sync-error');
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body)).toEqual({ statusCode: 500, message: 'Internal server error' });
  });

  it('marks request sessions errored for 5xx and ok otherwise', async () => {
    init(testOptions(server, { sessionMode: 'request' }));
    app = await startApp({ platform });
    server.clear();
    const failed = await send(app.url, '/users/6/http-503');
    const fine = await send(app.url, '/users/7');
    expect([failed.status, fine.status]).toEqual([503, 200]);
    const ends = await server.waitFor('sessions/end', 2);
    const starts = server.items('sessions/start');
    expect(starts).toHaveLength(2);
    expect(ends.map((e) => e.status).sort()).toEqual(['errored', 'ok']);
  });

  it('is a no-op without an API key: the app answers as usual, without Sightline headers', async () => {
    await getCurrentClient()?.close(0);
    app = await startApp({ platform, sightline: { apiKey: undefined, host: server.url } });
    expect(getCurrentClient()!.enabled).toBe(false);
    const r = await send(app.url, '/users/8');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.body)).toEqual({ id: '8' });
    expect(r.traceId).toBeUndefined();
    const err = await send(app.url, '/users/8/sync-error');
    expect(err.status).toBe(500);
  });
});

describe('option validation', () => {
  it('rejects invalid module options with a TypeError naming the option', () => {
    expect(() => SightlineModule.forRoot({ shouldCapture: 5 as never })).toThrow(/Invalid `shouldCapture`/);
    expect(() => SightlineModule.forRoot(null as never)).toThrow(TypeError);
    expect(() => SightlineModule.forRootAsync({} as never)).toThrow(/Invalid `useFactory`/);
  });

  it('fails bootstrap with core’s TypeError for invalid core options', async () => {
    await getCurrentClient()?.close(0);
    await expect(startApp({ platform: 'express', sightline: { tracesSampleRate: 5 } })).rejects.toThrow(
      /tracesSampleRate/,
    );
  });
});
