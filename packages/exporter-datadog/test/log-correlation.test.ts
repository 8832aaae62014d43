import { close, init, startSpan } from '@sightline/core';
import { sightlineMixin } from '@sightline/pino';
import { type Receiver, jsonLines, startReceiver } from '@sightline/testkit';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { datadogExporter } from '../src/index.js';
import { spansOf } from './helpers/payload.js';

let agent: Receiver;

beforeEach(async () => {
  agent = await startReceiver();
});

afterEach(async () => {
  await close(500);
  await agent.stop();
});

describe('Datadog log correlation through @sightline/pino', () => {
  it('log lines carry dd.trace_id / dd.span_id that match the span the agent received', async () => {
    const client = init({
      service: 'checkout',
      environment: 'prod',
      release: '5.0.0',
      flushInterval: 20,
      defaultIntegrations: false,
      exporters: [datadogExporter({ url: agent.url, variables: {} })],
    });
    const { lines, stream } = jsonLines();
    const logger = pino({ mixin: sightlineMixin() }, stream);
    startSpan({ name: 'checkout' }, () => logger.info('charged'));
    logger.info('idle');
    expect(await client.flush(3000)).toBe(true);
    const [span] = spansOf(await agent.waitFor('/v0.4/traces', 1));
    await new Promise((r) => setImmediate(r));
    expect(lines[0]).toMatchObject({
      msg: 'charged',
      'dd.trace_id': span!.trace_id.toString(),
      'dd.span_id': span!.span_id.toString(),
      'dd.service': 'checkout',
      'dd.env': 'prod',
      'dd.version': '5.0.0',
    });
    expect(lines[1]).toMatchObject({ msg: 'idle', 'dd.service': 'checkout', 'dd.env': 'prod', 'dd.version': '5.0.0' });
    expect(lines[1]).not.toHaveProperty('dd.trace_id');
  });
});
