import { close, init, startSpan } from '@sightline/core';
import { correlatingExporter, jsonLines } from '@sightline/testkit';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { sightlineMixin } from '../src/index.js';

function capture() {
  const { lines, stream } = jsonLines();
  return { lines, logger: pino({ mixin: sightlineMixin(), base: undefined, timestamp: false }, stream) };
}

afterEach(async () => {
  await close(100);
});

describe('sightlineMixin with an exporter that has its own correlation fields', () => {
  it('adds them (in and outside a span) only while that exporter is active', async () => {
    init({ exporters: [correlatingExporter()], defaultIntegrations: false });
    const { logger, lines } = capture();
    let ids = { traceId: '', spanId: '' };
    startSpan({ name: 'job' }, (span) => {
      ids = { traceId: span.traceId, spanId: span.spanId };
      logger.info('inside');
    });
    logger.info('outside');
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({
      trace_id: ids.traceId,
      span_id: ids.spanId,
      'dd.trace_id': BigInt(`0x${ids.traceId.slice(16)}`).toString(),
      'dd.span_id': BigInt(`0x${ids.spanId}`).toString(),
      'dd.service': 'svc',
    });
    expect(lines[1]).toEqual({ level: 30, msg: 'outside', 'dd.service': 'svc' });

    init({ exporters: [{ ...correlatingExporter(), logFields: undefined }], defaultIntegrations: false });
    startSpan({ name: 'job' }, () => logger.info('plain'));
    await new Promise((r) => setImmediate(r));
    expect(Object.keys(lines[2]!).filter((k) => k.startsWith('dd.'))).toEqual([]);
    expect(lines[2]).toHaveProperty('trace_id');
  });
});
