import { RequestMethod, VersioningType } from '@nestjs/common';

/**
 * Route templates from Nest's own routing metadata: `[globalPrefix][/v<version>][modulePath]
 * <controller path><method path>`, joined the way Nest's `RoutePathFactory` joins them when it
 * registers the route, so `/api/users/:id` is reported identically on Express and Fastify.
 */

// Metadata keys of @nestjs/common/constants, identical in Nest 10 and 11 (not exported from the index).
const PATH_METADATA = 'path';
const METHOD_METADATA = 'method';
const VERSION_METADATA = '__version__';
const MODULE_PATH = '__module_path__';

/** The parts of Nest's `ApplicationConfig` read here. */
export interface NestAppConfig {
  getGlobalPrefix(): string;
  getGlobalPrefixOptions(): { exclude?: ExcludedRoute[] };
  getVersioning(): { type: number; prefix?: string | false; defaultVersion?: unknown } | undefined;
}

interface ExcludedRoute {
  requestMethod: number;
  pathRegex: { exec(path: string): unknown };
}

/** The parts of Nest's `ModulesContainer` (a Map of modules) read here. */
export interface NestModules {
  readonly applicationId?: string;
  values(): Iterable<{ metatype: unknown; controllers: Map<unknown, { metatype?: unknown }> }>;
}

type Ctor = abstract new (...args: never[]) => unknown;

function getMeta(key: string, target: object): unknown {
  const reflect = Reflect as unknown as { getMetadata?: (k: string, t: object) => unknown };
  return typeof reflect.getMetadata === 'function' ? reflect.getMetadata(key, target) : undefined;
}

function stripEndSlash(p: string): string {
  return p.length > 0 && p.charCodeAt(p.length - 1) === 47 ? p.slice(0, -1) : p;
}

function addLeadingSlash(p: string): string {
  return p.length > 0 && p.charCodeAt(0) === 47 ? p : `/${p}`;
}

/** One path fragment, or `null` when the metadata holds several (the template is ambiguous). */
function single(v: unknown): string | undefined | null {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v.length === 1 && typeof v[0] === 'string' ? v[0] : v.length === 0 ? undefined : null;
  return null;
}

function append(path: string, fragment: string | undefined): string {
  return fragment ? stripEndSlash(path) + addLeadingSlash(fragment) : path;
}

/**
 * Computes and caches route templates per (controller class, handler). Returns `undefined` when
 * Nest's metadata maps the handler to several paths (array paths or versions): the caller then
 * falls back to the path the HTTP framework matched.
 */
export class RouteTemplates {
  private readonly cache = new WeakMap<object, WeakMap<object, string | null>>();
  private modulePaths: WeakMap<object, string> | undefined;

  constructor(
    private readonly config: NestAppConfig | undefined,
    private readonly modules: NestModules | undefined,
  ) {}

  get(controller: Ctor, handler: object): string | undefined {
    let byHandler = this.cache.get(controller);
    let template = byHandler?.get(handler);
    if (template === undefined) {
      template = this.compute(controller, handler);
      if (!byHandler) this.cache.set(controller, (byHandler = new WeakMap()));
      byHandler.set(handler, template);
    }
    return template ?? undefined;
  }

  private compute(controller: Ctor, handler: object): string | null {
    const ctrlPath = single(getMeta(PATH_METADATA, controller));
    const methodPath = single(getMeta(PATH_METADATA, handler));
    if (ctrlPath === null || methodPath === null) return null;
    const versioning = this.config?.getVersioning();
    let version: string | undefined;
    if (versioning && versioning.type === VersioningType.URI) {
      const raw =
        getMeta(VERSION_METADATA, handler) ||
        (getMeta(VERSION_METADATA, controller) ?? versioning.defaultVersion);
      // VERSION_NEUTRAL (a symbol) routes carry no version segment.
      if (typeof raw !== 'symbol') {
        const v = single(raw);
        if (v === null) return null;
        version = v;
      }
    }
    let path = '';
    if (version !== undefined) {
      const prefix = versioning?.prefix === false ? '' : (versioning?.prefix ?? 'v');
      path = `/${prefix}${version}`;
    }
    path = append(path, this.modulePath(controller));
    path = append(path, ctrlPath);
    path = append(path, methodPath);
    const globalPrefix = this.config?.getGlobalPrefix();
    if (globalPrefix && !this.excluded(path, version, getMeta(METHOD_METADATA, handler)))
      path = stripEndSlash(globalPrefix) + path;
    path = addLeadingSlash(path || '/');
    return path === '/' ? path : stripEndSlash(path);
  }

  /** `setGlobalPrefix('api', { exclude: [...] })`: the same check Nest makes at registration. */
  private excluded(path: string, version: string | undefined, requestMethod: unknown): boolean {
    const exclude = this.config?.getGlobalPrefixOptions()?.exclude;
    if (!Array.isArray(exclude) || exclude.length === 0) return false;
    let p = path;
    if (version !== undefined) {
      const versioning = this.config?.getVersioning();
      const prefix = `/${versioning?.prefix === false ? '' : (versioning?.prefix ?? 'v')}${version}`;
      if (p.startsWith(prefix)) p = p.slice(prefix.length);
    }
    p = addLeadingSlash(p);
    return exclude.some(
      (r) =>
        (r.requestMethod === RequestMethod.ALL ||
          r.requestMethod === -1 ||
          r.requestMethod === requestMethod) &&
        Boolean(r.pathRegex.exec(p)),
    );
  }

  /** `RouterModule.register([{ path, module }])` stores a path on the module hosting the controller. */
  private modulePath(controller: Ctor): string | undefined {
    if (!this.modulePaths) {
      this.modulePaths = new WeakMap();
      if (this.modules) {
        const appKey = MODULE_PATH + (this.modules.applicationId ?? '');
        for (const mod of this.modules.values()) {
          const metatype = mod.metatype as object | undefined;
          if (!metatype || !mod.controllers) continue;
          const p = getMeta(appKey, metatype) ?? getMeta(MODULE_PATH, metatype);
          if (typeof p !== 'string' || p === '') continue;
          for (const wrapper of mod.controllers.values()) {
            if (typeof wrapper.metatype === 'function') this.modulePaths.set(wrapper.metatype, p);
          }
        }
      }
    }
    return this.modulePaths.get(controller);
  }
}
