import Fastify from 'fastify';
import Fastify4 from 'fastify4';
import { describe, expect, it } from 'vitest';
import { type SightlineFastifyOptions, sightlineFastify } from '../src/index.js';

// These calls are written against each major's own type definitions: `tsc --noEmit` (the
// package's typecheck) fails if the plugin stops fitting either `register` signature.
describe('typing against each major’s own definitions', () => {
  it('registers on a Fastify 5 instance, with and without options', async () => {
    const app = Fastify();
    const options: SightlineFastifyOptions = { shouldHandleError: (_error, statusCode) => statusCode >= 500 };
    await app.register(sightlineFastify);
    await app.register(async (child) => {
      await child.register(sightlineFastify, options);
    });
    await app.ready();
    expect(app.hasPlugin('@sightline/fastify')).toBe(true);
    await app.close();
  });

  it('registers on a Fastify 4 instance, with and without options', async () => {
    const app = Fastify4();
    await app.register(sightlineFastify);
    await app.register(sightlineFastify, { shouldHandleError: (_error, statusCode) => statusCode >= 500 });
    await app.ready();
    expect(app.hasPlugin('@sightline/fastify')).toBe(true);
    await app.close();
  });
});
