import { startSpan, withScope } from '@sightline/core';
import { jsonLines } from '@sightline/testkit';
import pino from 'pino';
import pino8 from 'pino8';
import pino9 from 'pino9';
import { describe, expect, it } from 'vitest';
import { sightlineMixin } from '../src/index.js';

describe.each([
  ['pino 10', pino],
  ['pino 9', pino9 as unknown as typeof pino],
  ['pino 8', pino8 as unknown as typeof pino],
])('sightlineMixin with %s', (_name, make) => {
  it('adds trace_id, span_id and request_id of the calling context to every record', async () => {
    const out = jsonLines();
    const logger = make({ mixin: sightlineMixin() }, out.stream);
    logger.info('outside');
    let expected: { traceId: string; spanId: string } | undefined;
    await withScope(async (scope) => {
      scope.requestId = 'req-42';
      await startSpan({ name: 'job' }, async (span) => {
        expected = { traceId: span.traceId, spanId: span.spanId };
        await new Promise((r) => setTimeout(r, 1));
        logger.child({ component: 'db' }).warn({ rows: 2 }, 'inside');
      });
    });
    await new Promise((r) => setImmediate(r));
    expect(out.lines[0]).not.toHaveProperty('trace_id');
    expect(out.lines[0]).not.toHaveProperty('request_id');
    expect(out.lines[1]).toMatchObject({
      msg: 'inside',
      rows: 2,
      component: 'db',
      trace_id: expected!.traceId,
      span_id: expected!.spanId,
      request_id: 'req-42',
    });
  });

  it('keeps the fields of your own mixin and returns a fresh object each call', () => {
    const out = jsonLines();
    const mixin = sightlineMixin((_obj, level) => ({ app: 'shop', levelSeen: level }));
    const logger = make({ mixin }, out.stream);
    withScope((scope) => {
      scope.requestId = 'r-1';
      logger.info('one');
      logger.error('two');
    });
    expect(out.lines.map((l) => [l.app, l.levelSeen, l.request_id])).toEqual([
      ['shop', 30, 'r-1'],
      ['shop', 50, 'r-1'],
    ]);
    expect(mixin({}, 30)).not.toBe(mixin({}, 30));
  });
});

it('rejects a non-function mixin to compose with', () => {
  expect(() => sightlineMixin('nope' as never)).toThrow(TypeError);
});
