import type { SightlineOptions } from '@sightline/core';

/**
 * Decides whether the exception filter reports an exception. `status` is the status Nest
 * answers with (500 for anything that is not an `HttpException` or an http-errors object).
 */
export type ShouldCapture = (exception: unknown, status: number) => boolean;

/** Options of `SightlineModule.forRoot`: core's `init` options plus the Nest-specific ones. */
export interface SightlineModuleOptions extends SightlineOptions {
  /**
   * Which exceptions reach Sightline. 4xx answers are the client's mistake, not the app's.
   * @default (exception, status) => status >= 500
   */
  shouldCapture?: ShouldCapture;
}

/** The default `shouldCapture`: unexpected errors and 5xx `HttpException`s, never 4xx. */
export const defaultShouldCapture: ShouldCapture = (_exception, status) => status >= 500;

/** Throws a `TypeError` for invalid Nest-specific options (core validates its own in `init`). */
export function validateModuleOptions(options: unknown): SightlineModuleOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('Invalid `SightlineModule` options: must be an object');
  }
  const shouldCapture = (options as SightlineModuleOptions).shouldCapture;
  if (shouldCapture !== undefined && typeof shouldCapture !== 'function') {
    throw new TypeError('Invalid `shouldCapture`: must be a function');
  }
  return options as SightlineModuleOptions;
}

/** The options core's `init` understands (the Nest-specific ones removed). */
export function coreOptions(options: SightlineModuleOptions): SightlineOptions {
  const { shouldCapture: _shouldCapture, ...rest } = options;
  return rest;
}
