/**
 * `@sightline/nestjs`: Sightline for NestJS 10 and 11 (platform-express and platform-fastify).
 * `imports: [SightlineModule.forRoot({ ... })]` is all an app needs.
 */
export { SightlineModule } from './module.js';
export type { SightlineModuleAsyncOptions } from './module.js';
export { SightlineExceptionFilter } from './exception-filter.js';
export type { SightlineModuleOptions, ShouldCapture } from './options.js';
