import dc from 'node:diagnostics_channel';
import type { Client } from '@sightline/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OutboundHttpHandle, instrumentOutboundHttp } from '../src/index.js';
import { type Sdk, startSdk } from './helpers/services.js';

/**
 * The exchange rides on undici's Request object itself; a Request that cannot take a property
 * (frozen) must still be recorded, with its headers written. The events are published here the
 * way undici publishes them, so any shape of Request can be tried.
 */

let sdk: Sdk;
let client: Client;
let handle: OutboundHttpHandle;

beforeAll(async () => {
  sdk = await startSdk();
  client = sdk.init();
  handle = instrumentOutboundHttp();
});

afterAll(async () => {
  handle.disable();
  await client.close(2000);
  await sdk.ingest.stop();
});

function exchange(request: object, statusCode: number): void {
  dc.channel('undici:request:create').publish({ request });
  dc.channel('undici:request:headers').publish({
    request,
    response: { statusCode, headers: [Buffer.from('Content-Length'), Buffer.from('7')], statusText: 'OK' },
  });
  dc.channel('undici:request:trailers').publish({ request, trailers: [] });
}

describe('per-request state', () => {
  it.each([
    ['a plain Request object', '/plain', (r: object) => r],
    ['a frozen Request object', '/frozen', (r: object) => Object.freeze(r)],
  ])('records %s once, with its status, size and headers', async (_label, path, shape) => {
    const headers: string[] = ['accept', '*/*'];
    const request = shape({
      origin: 'http://127.0.0.1:9',
      path: `${path}?q=1`,
      method: 'GET',
      headers,
      addHeader: (name: string, value: string) => headers.push(name, value),
    });
    exchange(request, 201);
    // A second end event for the same request records nothing more.
    dc.channel('undici:request:trailers').publish({ request, trailers: [] });

    const records = await sdk.ingest.waitFor('http-requests', (r) => r.some((x: any) => x.path === path));
    await client.flush(2000);
    const mine = sdk.ingest.items('http-requests').filter((x: any) => x.path === path);
    expect(mine).toHaveLength(1);
    expect(records.find((x: any) => x.path === path)).toMatchObject({
      direction: 'outbound',
      method: 'GET',
      host: '127.0.0.1:9',
      statusCode: 201,
      responseSize: 7,
    });
    expect(headers).toContain('traceparent');
  });
});
