import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../../../vitest.shared.mjs';

/**
 * Runs @sightline/nestjs's own test files (../../test) against the Nest 10 installed here.
 * The tests and the package's src import `@nestjs/*` by name, which from their location would
 * find Nest 11; the aliases below point every such import at this package's Nest 10 (real
 * paths, so Node loads the very module instances Nest 10's own adapters require).
 */
const here = dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(`${here}/package.json`);
const NEST = ['common', 'core', 'platform-express', 'platform-fastify', 'testing'];

export default mergeConfig(
  sharedConfig,
  defineConfig({
    resolve: {
      alias: NEST.map((name) => ({
        find: new RegExp(`^@nestjs/${name}$`),
        replacement: realpathSync(requireHere.resolve(`@nestjs/${name}`)),
      })),
    },
    test: {
      dir: '../../test',
      include: ['**/*.test.ts'],
      env: { SIGHTLINE_NEST_DIR: here, SIGHTLINE_EXPECTED_NEST_MAJOR: '10' },
    },
  }),
);
