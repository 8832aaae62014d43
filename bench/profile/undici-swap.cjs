'use strict';
// Preload for a bench server that should run another build of @sightline/undici, so two builds
// can be measured in one interleaved cpu-per-request.mjs run:
//   CONFIGS='[["sl-orig","sightline-100",{"NODE_OPTIONS":"--require <abs>/bench/profile/undici-swap.cjs",
//             "SIGHTLINE_UNDICI_CJS":"<abs>/orig-cjs/index.cjs", ...}], ...]'
// Build the CommonJS variant in packages/undici with
// `npx tsup src/index.ts --format cjs --no-config --out-dir node_modules/.bench-variants/orig-cjs`.
const Module = require('node:module');
const target = process.env.SIGHTLINE_UNDICI_CJS;
if (target) {
  const resolve = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    return request === '@sightline/undici' ? target : resolve.call(this, request, ...rest);
  };
}
