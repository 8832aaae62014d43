import type {
  DynamicModule,
  MiddlewareConsumer,
  ModuleMetadata,
  NestModule,
  OnApplicationShutdown,
  Provider,
} from '@nestjs/common';
import { Inject, Module, Optional } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR, ApplicationConfig, HttpAdapterHost } from '@nestjs/core';
import { type Client, getCurrentClient, init } from '@sightline/core';
import { SightlineExceptionFilter } from './exception-filter.js';
import { SightlineInterceptor } from './interceptor.js';
import { type SightlineModuleOptions, coreOptions, validateModuleOptions } from './options.js';
import { installRequestLifecycle } from './request-lifecycle.js';
import { SIGHTLINE_CLIENT, SIGHTLINE_MODULE_OPTIONS } from './tokens.js';

/** Options of `SightlineModule.forRootAsync`, for options that come from other providers (ConfigService, ...). */
export interface SightlineModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Returns the options; may be async. Its arguments are the `inject` tokens, resolved. */
  useFactory: (...args: any[]) => SightlineModuleOptions | Promise<SightlineModuleOptions>;
  /** Providers passed to `useFactory`. @default [] */
  inject?: NonNullable<Extract<Provider, { useFactory: unknown }>['inject']>;
}

interface ClientHandle {
  readonly client: Client;
  /** True when this module called `init` (it then closes the client on app shutdown). */
  readonly owned: boolean;
}

/** Reuses the client the app initialised itself; otherwise initialises one from the module options. */
function ensureClient(options: SightlineModuleOptions): ClientHandle {
  const existing = getCurrentClient();
  if (existing && !existing.isClosed()) return { client: existing, owned: false };
  return { client: init(coreOptions(options)), owned: true };
}

/**
 * Sightline for NestJS 10 and 11 on Express or Fastify: every request traced and recorded with
 * its controller route template, unexpected errors and 5xx answers reported once with the
 * request's user and trace.
 * @example
 * // app.module.ts: Module({ imports: [SightlineModule.forRoot({ apiKey: process.env.ALLSTAK_API_KEY })] })
 */
export class SightlineModule implements NestModule, OnApplicationShutdown {
  constructor(
    private readonly adapterHost: HttpAdapterHost | undefined,
    private readonly config: ApplicationConfig | undefined,
    private readonly handle: ClientHandle | undefined,
  ) {
    // NestFactory.create() already made the HTTP adapter: hooking in now puts Sightline ahead
    // of the body parsers and every `app.use()` middleware.
    installRequestLifecycle(adapterHost?.httpAdapter);
  }

  /** Nest calls this in `app.init()`, before it registers middleware, routes and their filters. */
  configure(_consumer: MiddlewareConsumer): void {
    // Test.createTestingModule() creates the adapter after the modules: hook in now instead.
    installRequestLifecycle(this.adapterHost?.httpAdapter);
    this.consultSightlineFilterFirst();
  }

  /**
   * Nest asks global filters last-registered first and stops at the first that catches. A
   * filter the app registered with `useGlobalFilters()` would hide errors from Sightline, so
   * Sightline's filter moves to the end; it hands every exception on to the filter that would
   * have answered it (see `SightlineExceptionFilter`), so responses stay the app's own.
   */
  private consultSightlineFilterFirst(): void {
    const filters = this.config?.getGlobalFilters();
    if (!Array.isArray(filters)) return;
    const ours = filters.filter((f) => f instanceof SightlineExceptionFilter);
    if (ours.length === 0) return;
    const rest = filters.filter((f) => !(f instanceof SightlineExceptionFilter));
    filters.length = 0;
    filters.push(...rest, ...ours);
  }

  /** `app.close()`: a client this module created is closed (flushed); one the app created is flushed. */
  async onApplicationShutdown(): Promise<void> {
    const handle = this.handle;
    if (!handle) return;
    try {
      if (handle.owned) await handle.client.close();
      else await handle.client.flush();
    } catch {
      // Shutdown must not fail because telemetry could not be delivered.
    }
  }

  /**
   * Registers Sightline with options known up front. Calls `init(options)` unless the app has
   * already initialised a client, which is then reused.
   * @example imports: [SightlineModule.forRoot({ apiKey: process.env.ALLSTAK_API_KEY, release: '1.0.0' })]
   */
  static forRoot(options: SightlineModuleOptions = {}): DynamicModule {
    const validated = validateModuleOptions(options);
    return moduleWith([{ provide: SIGHTLINE_MODULE_OPTIONS, useValue: validated }]);
  }

  /**
   * Registers Sightline with options produced by a factory (e.g. from `ConfigService`).
   * @example SightlineModule.forRootAsync({ imports: [ConfigModule], inject: [ConfigService], useFactory: (c: ConfigService) => ({ apiKey: c.get('ALLSTAK_API_KEY') }) })
   */
  static forRootAsync(options: SightlineModuleAsyncOptions): DynamicModule {
    if (typeof options?.useFactory !== 'function') {
      throw new TypeError('Invalid `useFactory`: must be a function returning SightlineModule options');
    }
    const factory = options.useFactory;
    return moduleWith(
      [
        {
          provide: SIGHTLINE_MODULE_OPTIONS,
          useFactory: async (...args: unknown[]) => validateModuleOptions(await factory(...args)),
          inject: options.inject ?? [],
        },
      ],
      options.imports,
    );
  }
}

function moduleWith(optionProviders: Provider[], imports: ModuleMetadata['imports'] = []): DynamicModule {
  return {
    module: SightlineModule,
    imports,
    providers: [
      ...optionProviders,
      { provide: SIGHTLINE_CLIENT, useFactory: ensureClient, inject: [SIGHTLINE_MODULE_OPTIONS] },
      { provide: APP_INTERCEPTOR, useClass: SightlineInterceptor },
      { provide: APP_FILTER, useClass: SightlineExceptionFilter },
    ],
  };
}

// Decorators applied as calls: the package builds without `experimentalDecorators`.
Module({})(SightlineModule);
Optional()(SightlineModule, undefined, 0);
Inject(HttpAdapterHost)(SightlineModule, undefined, 0);
Optional()(SightlineModule, undefined, 1);
Inject(ApplicationConfig)(SightlineModule, undefined, 1);
Optional()(SightlineModule, undefined, 2);
Inject(SIGHTLINE_CLIENT)(SightlineModule, undefined, 2);
