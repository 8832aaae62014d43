import { defineConfig } from 'vitest/config';

/**
 * One vitest base for every package. Workspace packages resolve to their TypeScript sources
 * through the `sightline-source` export condition, so tests never run against a stale `dist/`.
 * The JSON report feeds `scripts/test-summary.mjs`, which prints the monorepo's total.
 */
export const sharedConfig = defineConfig({
  resolve: { conditions: ['sightline-source'] },
  ssr: { resolve: { conditions: ['sightline-source'] } },
  test: {
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
  },
});
