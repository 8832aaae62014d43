import type { ArgumentsHost } from '@nestjs/common';
import { NotFoundException } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SightlineExceptionFilter } from '../src/index.js';
import { type Telemetry, startTelemetry } from './helpers/telemetry.js';

function host(type: string): ArgumentsHost {
  return {
    getType: () => type,
    getArgs: () => [],
    getArgByIndex: () => undefined,
    switchToHttp: () => {
      throw new Error('not http');
    },
    switchToRpc: () => ({ getData: () => ({}), getContext: () => ({}) }),
    switchToWs: () => ({ getData: () => ({}), getClient: () => ({}), getPattern: () => '' }),
  } as unknown as ArgumentsHost;
}

/** Outside HTTP (microservices, gateways, GraphQL) the filter reports, then rethrows. */
describe('SightlineExceptionFilter in non-HTTP contexts', () => {
  let t: Telemetry;

  beforeAll(async () => {
    t = await startTelemetry();
  });

  afterAll(async () => {
    await t?.stop();
  });

  it.each(['rpc', 'ws', 'graphql'])(
    'reports an unexpected error in a %s context and rethrows it',
    async (type) => {
      const filter = new SightlineExceptionFilter();
      const err = new Error(`handler failed in ${type}`);
      expect(() => filter.catch(err, host(type))).toThrow(err);
      const errors = await t.server.waitFor('errors', (e) => e.some((x) => x.message === err.message));
      expect(errors.filter((e) => e.message === err.message)).toHaveLength(1);
    },
  );

  it('rethrows a 4xx HttpException without reporting it', async () => {
    const filter = new SightlineExceptionFilter();
    const err = new NotFoundException('no such topic');
    expect(() => filter.catch(err, host('rpc'))).toThrow(err);
    await t.client.flush(2000);
    expect(t.server.items('errors').filter((e) => e.message === 'no such topic')).toEqual([]);
  });

  it("hands the exception to the app's own global filter for that context, whose answer it returns", async () => {
    const filter = new SightlineExceptionFilter();
    const answer = { status: 'error', message: 'from the app filter' };
    const appFilter = { catch: () => answer };
    // What Nest's property injection provides when the module registers the filter.
    Object.assign(filter, { applicationConfig: { getGlobalFilters: () => [appFilter, filter] } });
    const err = new Error('rpc failure with an app filter');
    expect(filter.catch(err, host('rpc'))).toBe(answer);
    const errors = await t.server.waitFor('errors', (e) => e.some((x) => x.message === err.message));
    expect(errors.filter((e) => e.message === err.message)).toHaveLength(1);
  });

  it('honours shouldCapture given to the constructor', async () => {
    const filter = new SightlineExceptionFilter(undefined, { shouldCapture: () => false });
    const err = new Error('kept quiet');
    expect(() => filter.catch(err, host('rpc'))).toThrow(err);
    await t.client.flush(2000);
    expect(t.server.items('errors').filter((e) => e.message === 'kept quiet')).toEqual([]);
  });
});
