import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.mjs';

// The Nest 10 run of the same tests lives in matrix/nest10 (its own vitest config and Nest copy).
export default mergeConfig(
  sharedConfig,
  defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      env: {
        SIGHTLINE_NEST_DIR: fileURLToPath(new URL('.', import.meta.url)),
        SIGHTLINE_EXPECTED_NEST_MAJOR: '11',
      },
    },
  }),
);
