import { APP_FILTER } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AppOptions,
  EverythingFilter,
  type RunningApp,
  TeapotFilter,
  startApp,
} from '../helpers/app.js';
import { answer, send } from '../helpers/http.js';
import { PLATFORMS, type Platform } from '../helpers/nest.js';
import { type Telemetry, itemsFor, startTelemetry } from '../helpers/telemetry.js';

type Variant = [string, Omit<AppOptions, 'platform'>];

const VARIANTS: Variant[] = [
  ['useGlobalFilters(TeapotFilter)', { globalFilters: () => [new TeapotFilter()] }],
  ['useGlobalFilters(catch-all)', { globalFilters: () => [new EverythingFilter()] }],
  ['APP_FILTER catch-all', { providers: [{ provide: APP_FILTER, useClass: EverythingFilter }] }],
];

const CASES: Platform[] = PLATFORMS;

/** The app's own exception filters keep answering; Sightline still sees every exception once. */
describe.each(CASES)('the app’s own exception filters (%s)', (platform) => {
  let t: Telemetry;

  beforeAll(async () => {
    t = await startTelemetry();
  });

  afterAll(async () => {
    await t?.stop();
  });

  describe.each(VARIANTS)('%s', (_name, variant) => {
    let app: RunningApp;
    let bare: RunningApp;

    beforeAll(async () => {
      app = await startApp({ platform, ...variant });
      bare = await startApp({ platform, ...variant, sightline: false });
    });

    afterAll(async () => {
      await app?.close();
      await bare?.close();
    });

    it.each([
      '/users/1/teapot',
      '/users/1/sync-error',
      '/users/1/http-500',
      '/users/1/not-found',
      '/users/1/scoped',
      '/users/1/mw-error',
      '/no-such-route',
    ])('answers %s exactly as without Sightline', async (path) => {
      const [withSdk, without] = await Promise.all([send(app.url, path), send(bare.url, path)]);
      expect(answer(withSdk)).toEqual(answer(without));
      expect(withSdk.traceId).toBeDefined();
    });

    it('still reports a 500 the app’s filter answers, once, in its request', async () => {
      const r = await send(app.url, '/users/41/sync-error');
      expect(r.status).toBe(500);
      const [error] = await itemsFor(t.server, 'errors', r.requestId!);
      await t.client.flush(2000);
      expect(t.server.items('errors').filter((e) => e.requestId === r.requestId)).toHaveLength(1);
      expect(error).toMatchObject({ message: 'sync failure 41', user: { id: '41' }, traceId: r.traceId });
    });

    it('does not report what answers 4xx', async () => {
      const r = await send(app.url, '/users/42/not-found');
      expect(r.status).toBe(404);
      await itemsFor(t.server, 'http-requests', r.requestId!);
      await t.client.flush(2000);
      expect(t.server.items('errors').filter((e) => e.requestId === r.requestId)).toEqual([]);
    });

    it('reports an app error by the status the app’s filter answers it with (418: no, 500: yes)', async () => {
      const r = await send(app.url, '/users/43/teapot');
      expect([418, 500]).toContain(r.status);
      await itemsFor(t.server, 'http-requests', r.requestId!);
      await t.client.flush(2000);
      const errors = t.server.items('errors').filter((e) => e.requestId === r.requestId);
      if (r.status === 418) {
        expect(errors).toEqual([]);
      } else {
        expect(errors).toHaveLength(1);
        expect(errors[0]).toMatchObject({
          exceptionClass: 'TeapotError',
          user: { id: '43' },
          traceId: r.traceId,
          requestContext: { route: '/users/:id/teapot' },
        });
      }
    });
  });
});
