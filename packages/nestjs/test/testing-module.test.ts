import type { INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { getProcessHub } from '@sightline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appModule } from './helpers/app.js';
import { send } from './helpers/http.js';
import { PLATFORMS } from './helpers/nest.js';
import { HEX32, type Telemetry, itemsFor, startTelemetry, traceparent } from './helpers/telemetry.js';

/**
 * `Test.createTestingModule(...).compile()` builds the modules before any HTTP adapter exists;
 * Sightline then hooks in from `configure()` during `app.init()`.
 */
describe.each(PLATFORMS)('Test.createTestingModule apps (%s)', (platform) => {
  let t: Telemetry;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    t = await startTelemetry();
    const moduleRef = await Test.createTestingModule({ imports: [appModule({ platform })] }).compile();
    app =
      platform === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication({ logger: false });
    app.useLogger(false);
    await app.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${app.getHttpServer().address().port}`;
  });

  afterAll(async () => {
    await app?.close();
    await t?.stop();
  });

  it('records requests with their route template and trace', async () => {
    const tp = traceparent();
    const r = await send(url, '/users/51', { headers: { traceparent: tp.header } });
    expect(r.status).toBe(200);
    expect(r.traceId).toBe(tp.traceId);
    const [record] = await itemsFor(t.server, 'http-requests', r.requestId!);
    expect(record).toMatchObject({ path: '/users/:id', statusCode: 200, userId: '51', traceId: tp.traceId });
  });

  it('reports errors once, with the context the app’s middleware and handler set', async () => {
    const r = await send(url, '/users/52/async-error');
    expect(r.status).toBe(500);
    const [error] = await itemsFor(t.server, 'errors', r.requestId!);
    await t.client.flush(2000);
    expect(t.server.items('errors').filter((e) => e.requestId === r.requestId)).toHaveLength(1);
    expect(error).toMatchObject({
      message: 'async failure 52',
      user: { id: '52' },
      traceId: r.traceId,
      requestContext: { route: '/users/:id/async-error' },
      metadata: expect.objectContaining({ middleware: 'ran' }),
    });
    expect(getProcessHub().scope.tags).toEqual({});
  });

  it('records unmatched routes with headers', async () => {
    const r = await send(url, '/nowhere');
    expect(r.status).toBe(404);
    expect(r.traceId).toMatch(HEX32);
    const [record] = await itemsFor(t.server, 'http-requests', r.requestId!);
    expect(record).toMatchObject({ path: '<unmatched>', statusCode: 404 });
  });
});
