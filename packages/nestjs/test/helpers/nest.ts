import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Which Nest the suite runs against. Each vitest config (packages/nestjs for Nest 11,
 * matrix/nest10 for Nest 10) names the package directory whose node_modules hold "its" Nest.
 */
export const NEST_DIR = process.env.SIGHTLINE_NEST_DIR ?? fileURLToPath(new URL('../..', import.meta.url));
export const requireNest = createRequire(join(NEST_DIR, 'package.json'));
export const NEST_VERSION: string = requireNest('@nestjs/core/package.json').version;
export const NEST_MAJOR = Number(NEST_VERSION.split('.')[0]);

/**
 * "Every path" in a `forRoutes()` call: Nest 11 (path-to-regexp 8) wants a named wildcard,
 * Nest 10 the bare `*`.
 */
export const ALL_PATHS = NEST_MAJOR >= 11 ? '{*path}' : '*';

export type Platform = 'express' | 'fastify';
export const PLATFORMS: Platform[] = ['express', 'fastify'];
