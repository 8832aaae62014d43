import { createHttpExecutor } from './http-executor.js';
import type {
  CategoryConfig,
  TransportCompression,
  TransportEncoder,
  TransportExecutor,
  TransportOptions,
} from './types.js';

/** Transport options after validation, with every default applied. Frozen. */
export interface ResolvedTransportOptions {
  readonly categories: Readonly<Record<string, CategoryConfig>>;
  readonly encode: TransportEncoder;
  readonly executor: TransportExecutor;
  readonly queueSize: number;
  readonly maxBatchSize: number;
  readonly flushInterval: number;
  readonly maxInFlight: number;
  /** Requests in flight across all categories. */
  readonly maxInFlightTotal: number;
  readonly maxRetries: number;
  readonly retryBaseMs: number;
  readonly maxRetryAfterMs: number;
  readonly defaultRetryAfterMs: number;
  readonly gzipThreshold: number;
  readonly compression: TransportCompression;
  readonly debug: ((msg: string) => void) | undefined;
}

/** Global in-flight cap (raised to `maxInFlight` when that is larger). */
const MAX_IN_FLIGHT_TOTAL = 8;

const isPositiveInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
const isNonNegativeInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isNonNegative = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function check<T>(
  name: string,
  value: T | undefined,
  ok: (v: unknown) => boolean,
  what: string,
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if (!ok(value)) throw new TypeError(`Invalid \`${name}\`: must be ${what}`);
  return value;
}

/** Validates once at creation (the only place the transport throws) and resolves defaults. */
export function resolveTransportOptions(options: TransportOptions): ResolvedTransportOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError('Invalid transport options: must be an object');
  }
  const { categories } = options;
  if (categories === null || typeof categories !== 'object' || Object.keys(categories).length === 0) {
    throw new TypeError('Invalid `categories`: must be a non-empty object of { batched: boolean }');
  }
  const cats: Record<string, CategoryConfig> = Object.create(null);
  for (const [name, config] of Object.entries(categories)) {
    if (config === null || typeof config !== 'object' || typeof config.batched !== 'boolean') {
      throw new TypeError(`Invalid \`categories.${name}\`: must be { batched: boolean }`);
    }
    cats[name] = Object.freeze({ batched: config.batched });
  }
  if (typeof options.encode !== 'function') throw new TypeError('Invalid `encode`: must be a function');
  if (options.executor !== undefined && typeof options.executor !== 'function') {
    throw new TypeError('Invalid `executor`: must be a function');
  }
  if (options.debug !== undefined && typeof options.debug !== 'function') {
    throw new TypeError('Invalid `debug`: must be a function');
  }
  const int = 'a positive integer';
  const ms = 'a non-negative number of milliseconds';
  const maxInFlight = check('maxInFlight', options.maxInFlight, isPositiveInt, int, 5);
  return Object.freeze({
    categories: Object.freeze(cats),
    encode: options.encode,
    executor: options.executor ?? createHttpExecutor(),
    queueSize: check('queueSize', options.queueSize, isPositiveInt, int, 1000),
    maxBatchSize: check('maxBatchSize', options.maxBatchSize, isPositiveInt, int, 100),
    flushInterval: check('flushInterval', options.flushInterval, isNonNegative, ms, 1000),
    maxInFlight,
    maxInFlightTotal: Math.max(MAX_IN_FLIGHT_TOTAL, maxInFlight),
    maxRetries: check('maxRetries', options.maxRetries, isNonNegativeInt, 'a non-negative integer', 3),
    retryBaseMs: check('retryBaseMs', options.retryBaseMs, isNonNegative, ms, 500),
    maxRetryAfterMs: check('maxRetryAfterMs', options.maxRetryAfterMs, isNonNegative, ms, 300_000),
    defaultRetryAfterMs: check('defaultRetryAfterMs', options.defaultRetryAfterMs, isNonNegative, ms, 60_000),
    gzipThreshold: check(
      'gzipThreshold',
      options.gzipThreshold,
      isNonNegativeInt,
      'a non-negative integer',
      1024,
    ),
    compression: check(
      'compression',
      options.compression,
      (v) => v === 'auto' || v === 'gzip' || v === 'none',
      "'auto', 'gzip' or 'none'",
      'auto' as TransportCompression,
    ),
    debug: options.debug,
  });
}
