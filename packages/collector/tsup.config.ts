import { defineConfig } from 'tsup';

export default defineConfig({
  // `cli` is the `sightline-collector` bin (tsup keeps its shebang); it bundles its own copy.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  clean: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
  // The UI's files are found relative to the module (import.meta.url); the CJS build needs the shim.
  shims: true,
});
