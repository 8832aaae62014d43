import { hostname } from 'node:os';
import type { TransportOptions } from '@sightline/core';

/** Transport tuning; the retry, backoff, 429 and bounds rules are the shared transport's. */
export type RacewayTransportTuning = Pick<
  TransportOptions,
  | 'queueSize'
  | 'maxBatchSize'
  | 'flushInterval'
  | 'maxInFlight'
  | 'maxRetries'
  | 'retryBaseMs'
  | 'maxRetryAfterMs'
  | 'defaultRetryAfterMs'
  | 'executor'
>;

export interface RacewayExporterOptions {
  /**
   * Base URL of a Raceway server (or of the Sightline collector); events are posted to `<url>/events`.
   * @default RACEWAY_URL ?? 'http://127.0.0.1:8080'
   */
  url?: string;
  /**
   * Sent as `Authorization: Bearer <key>`. Never logged. Raceway servers without auth ignore it.
   * @default RACEWAY_API_KEY ?? undefined
   */
  apiKey?: string;
  /** `metadata.service_name` and the first half of this instance's clock components. @default init's `service` ?? 'unknown-service' */
  serviceName?: string;
  /** `metadata.instance_id`. @default RACEWAY_INSTANCE_ID ?? `<hostname>-<pid>` */
  instanceId?: string;
  /** `metadata.environment`. @default init's `environment` */
  environment?: string;
  /** Added to every event's `metadata.tags`. @default {} */
  tags?: Record<string, string>;
  /**
   * Record where each access, call and lock happened (`file:line` of the first in-app frame). It
   * costs one `Error.captureStackTrace` of 4 frames per event on the calling path (about 5 µs; the
   * rest of an event is about 1 µs). Formatting and parsing the frames happen later, in the
   * transport worker.
   * @default true
   */
  captureLocation?: boolean;
  /**
   * Request contexts tracked at the same time; each is one component of the vector clocks, so this
   * also bounds their length. Events of contexts past the bound are dropped and counted.
   * @default 128
   */
  maxContexts?: number;
  /**
   * Locks whose last release is remembered (for happens-before from release to acquire).
   * @default 1024
   */
  maxLocks?: number;
  /** Deadline of one request in ms. @default 10000 */
  timeoutMs?: number;
  /**
   * Queue bound, batch size (Raceway's SDKs send 100), flush interval (1 s) and retries.
   * @default { queueSize: 10000, maxBatchSize: 100, flushInterval: 1000 }
   */
  transport?: RacewayTransportTuning;
  /** Where `RACEWAY_*` variables are read. @default process.env */
  variables?: Record<string, string | undefined>;
}

export interface ResolvedRacewayOptions {
  readonly eventsUrl: string;
  readonly apiKey: string | undefined;
  readonly serviceName: string | undefined;
  readonly instanceId: string;
  readonly environment: string | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly captureLocation: boolean;
  readonly maxContexts: number;
  readonly maxLocks: number;
  readonly timeoutMs: number;
  readonly transport: RacewayTransportTuning;
}

function invalid(name: string, what: string): TypeError {
  return new TypeError(`Invalid \`${name}\`: must be ${what}`);
}

function envStr(vars: Record<string, string | undefined>, name: string): string | undefined {
  const v = vars[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function optString(v: unknown, name: string): string | undefined {
  if (v !== undefined && (typeof v !== 'string' || v === '' || v.length > 256)) {
    throw invalid(name, 'a non-empty string of at most 256 characters');
  }
  return v as string | undefined;
}

function posInt(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw invalid(name, 'a positive integer');
  return v;
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return 'instance';
  }
}

/** Validates once and resolves every default. Throws `TypeError` naming the bad option. */
export function resolveRacewayOptions(options: RacewayExporterOptions = {}): ResolvedRacewayOptions {
  if (options === null || typeof options !== 'object') throw invalid('options', 'an object');
  const vars = options.variables ?? process.env;
  const url = options.url ?? envStr(vars, 'RACEWAY_URL') ?? 'http://127.0.0.1:8080';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('url', 'an http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid('url', 'an http(s) URL');
  // Credentials in the URL would end up in logs; the key has its own option.
  if (parsed.username || parsed.password) throw invalid('url', 'a URL without credentials (use `apiKey`)');
  let path = parsed.pathname;
  while (path.endsWith('/')) path = path.slice(0, -1);
  const base = `${parsed.origin}${path}`;
  const apiKey = options.apiKey ?? envStr(vars, 'RACEWAY_API_KEY');
  if (apiKey !== undefined && (typeof apiKey !== 'string' || apiKey === '' || /[\r\n]/.test(apiKey))) {
    throw invalid('apiKey', 'a non-empty string without line breaks');
  }
  const tags = options.tags ?? {};
  if (tags === null || typeof tags !== 'object' || Object.values(tags).some((v) => typeof v !== 'string')) {
    throw invalid('tags', 'an object of strings');
  }
  if (options.captureLocation !== undefined && typeof options.captureLocation !== 'boolean') {
    throw invalid('captureLocation', 'a boolean');
  }
  const transport = options.transport ?? {};
  if (transport === null || typeof transport !== 'object') throw invalid('transport', 'an object');
  return Object.freeze({
    eventsUrl: `${base}/events`,
    apiKey,
    serviceName: optString(options.serviceName, 'serviceName'),
    instanceId:
      optString(options.instanceId, 'instanceId') ??
      envStr(vars, 'RACEWAY_INSTANCE_ID') ??
      `${safeHostname()}-${process.pid}`,
    environment: optString(options.environment, 'environment'),
    tags: Object.freeze({ ...tags }),
    captureLocation: options.captureLocation ?? true,
    maxContexts: posInt(options.maxContexts, 'maxContexts', 128),
    maxLocks: posInt(options.maxLocks, 'maxLocks', 1024),
    timeoutMs: posInt(options.timeoutMs, 'timeoutMs', 10_000),
    transport: Object.freeze({ queueSize: 10_000, maxBatchSize: 100, flushInterval: 1000, ...transport }),
  });
}
