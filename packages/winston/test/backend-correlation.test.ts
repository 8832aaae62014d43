import { close, init, startSpan } from '@sightline/core';
import { correlatingExporter, jsonLines } from '@sightline/testkit';
import winston from 'winston';
import { afterEach, describe, expect, it } from 'vitest';
import { sightlineFormat } from '../src/index.js';

function jsonLogger() {
  const { lines, stream } = jsonLines();
  const logger = winston.createLogger({
    format: winston.format.combine(sightlineFormat(), winston.format.json()),
    transports: [new winston.transports.Stream({ stream })],
  });
  return { logger, lines };
}

afterEach(async () => {
  await close(100);
});

describe('sightlineFormat with an exporter that has its own correlation fields', () => {
  it('adds them (in and outside a span) only while that exporter is active', () => {
    init({ exporters: [correlatingExporter()], defaultIntegrations: false });
    const { logger, lines } = jsonLogger();
    let ids = { traceId: '', spanId: '' };
    startSpan({ name: 'job' }, (span) => {
      ids = { traceId: span.traceId, spanId: span.spanId };
      logger.info('inside');
    });
    logger.info('outside');
    expect(lines[0]).toMatchObject({
      trace_id: ids.traceId,
      span_id: ids.spanId,
      'dd.trace_id': BigInt(`0x${ids.traceId.slice(16)}`).toString(),
      'dd.span_id': BigInt(`0x${ids.spanId}`).toString(),
      'dd.service': 'svc',
    });
    expect(lines[1]).toEqual({ level: 'info', message: 'outside', 'dd.service': 'svc' });

    init({ exporters: [{ ...correlatingExporter(), logFields: undefined }], defaultIntegrations: false });
    startSpan({ name: 'job' }, () => logger.info('plain'));
    expect(Object.keys(lines[2]!).filter((k) => k.startsWith('dd.'))).toEqual([]);
    expect(lines[2]).toHaveProperty('trace_id');
  });
});
