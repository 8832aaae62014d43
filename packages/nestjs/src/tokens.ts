/** Injection token of the options given to `SightlineModule.forRoot` / returned by `forRootAsync`'s factory. */
export const SIGHTLINE_MODULE_OPTIONS = Symbol.for('sightline.nestjs.options');

/** Resolves (after `init`) to the Sightline client the module uses. */
export const SIGHTLINE_CLIENT = Symbol.for('sightline.nestjs.client');

/** Never provided: lets DI pass `undefined` as the filter's `applicationRef` (Nest then injects `HttpAdapterHost`). */
export const NO_APPLICATION_REF = Symbol('sightline.nestjs.no-application-ref');
