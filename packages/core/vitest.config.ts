import { fileURLToPath } from 'node:url';
import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.mjs';

// Core cannot depend on the test kit (the kit depends on core), so its tests reach it by path.
export default mergeConfig(
  sharedConfig,
  defineConfig({
    resolve: { alias: { '@sightline/testkit': fileURLToPath(new URL('../testkit/src/index.ts', import.meta.url)) } },
  }),
);
