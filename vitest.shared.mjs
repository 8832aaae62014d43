import { defineConfig } from 'vitest/config';

/**
 * One vitest base for every package. Workspace packages resolve to their TypeScript sources
 * through the `sightline-source` export condition, so tests never run against a stale `dist/`.
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: ['sightline-source'] },
  ssr: { resolve: { conditions: ['sightline-source'] } },
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
