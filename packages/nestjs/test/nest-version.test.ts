import { BaseExceptionFilter, NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { describe, expect, it } from 'vitest';
import { SightlineExceptionFilter } from '../src/index.js';
import { NEST_DIR, NEST_MAJOR, requireNest } from './helpers/nest.js';

/**
 * The same test files run twice: from packages/nestjs (Nest 11) and from matrix/nest10 (Nest 10).
 * Proves that the Nest each run claims is the one the tests, the app and the SDK actually load.
 */
describe('which Nest is loaded', () => {
  // Set by each vitest config, independently of how the Nest under test is located.
  const expected = Number(process.env.SIGHTLINE_EXPECTED_NEST_MAJOR);

  it('the vitest config says which major to expect', () => {
    expect([10, 11]).toContain(expected);
  });

  it(`is Nest ${expected} in ${NEST_DIR}`, () => {
    expect(NEST_MAJOR).toBe(expected);
    expect(requireNest('@nestjs/common/package.json').version.split('.')[0]).toBe(String(expected));
  });

  it('the tests import that very @nestjs/core and platform (same module instances)', () => {
    expect(requireNest('@nestjs/core').NestFactory).toBe(NestFactory);
    expect(requireNest('@nestjs/platform-fastify').FastifyAdapter).toBe(FastifyAdapter);
  });

  it("the SDK's filter extends that Nest's BaseExceptionFilter", () => {
    expect(Object.getPrototypeOf(SightlineExceptionFilter)).toBe(BaseExceptionFilter);
    expect(Object.getPrototypeOf(SightlineExceptionFilter)).toBe(
      requireNest('@nestjs/core').BaseExceptionFilter,
    );
  });

  it('and the Fastify major that Nest brings (4 with Nest 10, 5 with Nest 11)', async () => {
    const adapter = new FastifyAdapter();
    const fastifyVersion: string = adapter.getInstance().version;
    await adapter.close();
    expect(fastifyVersion.split('.')[0]).toBe(expected === 10 ? '4' : '5');
  });
});
