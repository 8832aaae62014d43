import type { SpanRecord } from '@sightline/core';
import { describe, expect, it } from 'vitest';
import { mapSpan } from '../src/map-segment.js';
import { peerOf } from '../src/peer.js';

const id = { service: 'svc', instance: 'svc-1' };

function record(over: Partial<SpanRecord>): SpanRecord {
  return {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    parentSpanId: '',
    name: 'op',
    kind: 'internal',
    status: 'ok',
    startTime: 1_700_000_000_000.4,
    endTime: 1_700_000_000_012.6,
    sampled: true,
    traceFlags: 1,
    tags: {},
    ...over,
  };
}

const place = (r: SpanRecord) => ({ record: r, id: 1, parent: 0, isRoot: false });

describe('component ids', () => {
  it.each([
    [undefined, 4001],
    ['express', 4002],
    ['koa', 4004],
    ['fastify', 4001],
    ['nestjs', 4001],
  ])('server span of framework %s → %i', (framework, componentId) => {
    const tags: Record<string, string> = { 'http.method': 'GET' };
    if (framework) tags.framework = framework;
    expect(mapSpan(place(record({ kind: 'server', tags })), 't', id)).toMatchObject({
      spanType: 'Entry',
      spanLayer: 'Http',
      componentId,
    });
  });

  it('database client spans are Exit spans of the Database layer with the driver component and peer', () => {
    const span = mapSpan(
      place(
        record({
          kind: 'client',
          name: 'SELECT orders',
          tags: { 'db.system': 'postgresql', 'server.address': 'db.internal', 'server.port': '5432' },
        }),
      ),
      't',
      id,
    );
    expect(span).toMatchObject({
      spanType: 'Exit',
      spanLayer: 'Database',
      componentId: 22,
      peer: 'db.internal:5432',
      operationName: 'SELECT orders',
      startTime: 1_700_000_000_000,
      endTime: 1_700_000_000_013,
    });
  });

  it('internal spans are Local spans of an unknown component and have no peer', () => {
    const span = mapSpan(place(record({})), 't', id);
    expect(span).toMatchObject({ spanType: 'Local', spanLayer: 'Unknown', componentId: 0 });
    expect('peer' in span).toBe(false);
  });
});

describe('peer', () => {
  it.each([
    [{ 'server.address': 'api.example.com', 'http.url': 'https://api.example.com/x' }, 'api.example.com:443'],
    [
      { 'server.address': 'api.example.com:8443', 'http.url': 'https://api.example.com:8443/x' },
      'api.example.com:8443',
    ],
    [{ 'http.url': 'http://user:pw@[::1]/x?y' }, '[::1]:80'],
    [{ 'net.peer.name': 'redis', 'net.peer.port': '6379' }, 'redis:6379'],
    [{}, ''],
  ])('%j → %s', (tags, peer) => {
    expect(peerOf(tags as Record<string, string>)).toBe(peer);
  });
});
