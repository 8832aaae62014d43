import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` is the `sightline-races` bin (tsup keeps its shebang); `analysis` is the pure subpath
  // the collector imports.
  entry: { index: 'src/index.ts', analysis: 'src/analysis/index.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts', analysis: 'src/analysis/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
});
