import type { TransportOptions } from '@sightline/core';
import { LEVELS } from './map-event.js';
import type { ErrSightEvent, ErrSightLevel } from './wire.js';

/** Transport settings the exporter lets you tune (tests, slow networks). */
export type ErrSightTransportTuning = Partial<
  Pick<TransportOptions, 'maxRetries' | 'retryBaseMs' | 'maxInFlight'>
>;

export interface ErrSightExporterOptions {
  /** Write key (`elp_…`). Without one the exporter sends nothing. @default process.env.ERRSIGHT_API_KEY */
  apiKey?: string;
  /** @default process.env.ERRSIGHT_HOST ?? 'https://errsight.com' */
  host?: string;
  /** @default process.env.ERRSIGHT_ENV ?? the client's `environment` */
  environment?: string;
  /** @default process.env.ERRSIGHT_RELEASE ?? the client's `release` */
  release?: string;
  /** Exporter diagnostics on stderr (never the key). @default ERRSIGHT_DEBUG is 1/true/yes/on */
  debug?: boolean;
  /** Events below this level are dropped (counted) before `beforeSend` sees them. @default 'warning' */
  minLevel?: ErrSightLevel;
  /** Last look at the ErrSight event; return null to drop it. A throw drops it too (fail-closed). */
  beforeSend?: (event: ErrSightEvent) => ErrSightEvent | null;
  /** Events per request, at most 100 (the server's limit). @default 10 */
  batchSize?: number;
  /** Longest wait (ms) before a partial batch is sent. @default 2000 */
  flushInterval?: number;
  /** Events queued (including those being sent) before new ones are dropped and counted. @default 1000 */
  maxQueueSize?: number;
  /** Request body limit in bytes; larger batches are split, a larger single event is shortened. @default 524288 */
  maxPayloadBytes?: number;
  /** Deadline (ms) of one request. @default 5000 */
  timeoutMs?: number;
  /** Silence the warning for a plain-http host that is not loopback. @default false */
  allowInsecureTransport?: boolean;
  /** Transport tuning. @default core transport defaults */
  transport?: ErrSightTransportTuning;
}

export interface ResolvedErrSightOptions {
  readonly apiKey: string | undefined;
  /** Why there is no key (missing, or an invalid value from the environment). */
  readonly disabledReason: string | undefined;
  readonly host: string;
  readonly environment: string | undefined;
  readonly release: string | undefined;
  readonly debug: boolean;
  readonly minLevel: ErrSightLevel;
  readonly beforeSend: ErrSightExporterOptions['beforeSend'];
  readonly batchSize: number;
  readonly flushInterval: number;
  readonly maxQueueSize: number;
  readonly maxPayloadBytes: number;
  readonly timeoutMs: number;
  readonly allowInsecureTransport: boolean;
  readonly transport: ErrSightTransportTuning;
}

export const DEFAULT_HOST = 'https://errsight.com';
// A header value: printable ASCII without spaces.
const KEY_CHARS = /^[\x21-\x7e]{1,256}$/;
const TRUE = new Set(['1', 'true', 'yes', 'on']);

function fail(name: string, expectation: string): never {
  throw new TypeError(`Invalid \`${name}\`: must be ${expectation}`);
}

function env(e: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = e[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function num(v: unknown, name: string, def: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    fail(name, `a number from ${min} to ${max}`);
  return Math.floor(v);
}

function str(v: unknown, name: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '') fail(name, 'a non-empty string');
  return v.trim();
}

function keyProblem(key: string): string | undefined {
  if (!KEY_CHARS.test(key)) return 'printable characters without spaces';
  // `elr_` keys are read-only: the server answers 403 to every ingest request.
  if (key.startsWith('elr_')) return 'a write key (elp_…), not a read key (elr_…)';
  return undefined;
}

function hostUrl(v: string, name: string): string {
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    fail(name, 'an http(s) URL such as https://errsight.com');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    fail(name, 'an http(s) URL such as https://errsight.com');
  let path = url.pathname;
  while (path.endsWith('/')) path = path.slice(0, -1);
  return `${url.origin}${path}`;
}

/** Validates once (throws `TypeError`; messages never contain the key) and resolves defaults. */
export function resolveErrSightOptions(
  options: ErrSightExporterOptions | undefined,
  e: NodeJS.ProcessEnv = process.env,
): ResolvedErrSightOptions {
  const o = options ?? {};
  if (typeof o !== 'object') fail('options', 'an object');
  let apiKey: string | undefined;
  let disabledReason: string | undefined;
  if (o.apiKey !== undefined) {
    if (typeof o.apiKey !== 'string') fail('apiKey', 'a string');
    const problem = keyProblem(o.apiKey.trim());
    if (problem) fail('apiKey', problem);
    apiKey = o.apiKey.trim();
  } else {
    const fromEnv = env(e, 'ERRSIGHT_API_KEY');
    const problem = fromEnv === undefined ? undefined : keyProblem(fromEnv);
    // A bad variable disables the exporter instead of failing the app's start.
    if (problem) disabledReason = `ERRSIGHT_API_KEY is not usable (must be ${problem})`;
    else apiKey = fromEnv;
  }
  if (apiKey === undefined) disabledReason ??= 'no ErrSight API key (apiKey or ERRSIGHT_API_KEY)';
  const minLevel = o.minLevel ?? 'warning';
  if (!LEVELS.includes(minLevel)) fail('minLevel', `one of ${LEVELS.join(', ')}`);
  if (o.beforeSend !== undefined && typeof o.beforeSend !== 'function') fail('beforeSend', 'a function');
  if (o.debug !== undefined && typeof o.debug !== 'boolean') fail('debug', 'a boolean');
  const transport = o.transport ?? {};
  if (typeof transport !== 'object' || transport === null) fail('transport', 'an object');
  const debugEnv = env(e, 'ERRSIGHT_DEBUG');
  return Object.freeze({
    apiKey,
    disabledReason: apiKey === undefined ? disabledReason : undefined,
    host: hostUrl(
      str(o.host, 'host') ?? env(e, 'ERRSIGHT_HOST') ?? DEFAULT_HOST,
      o.host === undefined ? 'ERRSIGHT_HOST' : 'host',
    ),
    environment: str(o.environment, 'environment') ?? env(e, 'ERRSIGHT_ENV'),
    release: str(o.release, 'release') ?? env(e, 'ERRSIGHT_RELEASE'),
    debug: o.debug ?? (debugEnv !== undefined && TRUE.has(debugEnv.toLowerCase())),
    minLevel,
    beforeSend: o.beforeSend,
    batchSize: num(o.batchSize, 'batchSize', 10, 1, 100),
    flushInterval: num(o.flushInterval, 'flushInterval', 2000, 1),
    maxQueueSize: num(o.maxQueueSize, 'maxQueueSize', 1000, 1),
    maxPayloadBytes: num(o.maxPayloadBytes, 'maxPayloadBytes', 512 * 1024, 1024, 512 * 1024),
    timeoutMs: num(o.timeoutMs, 'timeoutMs', 5000, 1),
    allowInsecureTransport: o.allowInsecureTransport === true,
    transport: { ...transport },
  });
}

/** True for `localhost`, `127.x.x.x` and `[::1]`. */
export function isLoopback(host: string): boolean {
  try {
    const h = new URL(host).hostname;
    return h === 'localhost' || h === '[::1]' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
  } catch {
    return false;
  }
}
