import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.mjs';

export default mergeConfig(
  sharedConfig,
  defineConfig({
    test: {
      // Starts each run with an empty .results/ and records which mode produced it.
      globalSetup: ['./test/helpers/global-setup.ts'],
      // Scenarios measure latency and memory: two files at a time on the 2-core CI budget.
      maxWorkers: 2,
      testTimeout: 120_000,
    },
  }),
);
