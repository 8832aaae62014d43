import type { TransportOptions } from '@sightline/core';

/** Item kinds the Datadog exporter takes: spans, and errors (attached to their span as `error.*`). */
export type DatadogItemKind = 'span' | 'error';

/** Transport tuning; the retry, backoff, 429 and bounds rules are the shared transport's. */
export type DatadogTransportTuning = Pick<
  TransportOptions,
  'queueSize' | 'maxBatchSize' | 'flushInterval' | 'maxInFlight' | 'maxRetries' | 'retryBaseMs' | 'maxRetryAfterMs' | 'defaultRetryAfterMs'
>;

export interface DatadogExporterOptions {
  /**
   * Trace agent base URL (http or https; unix sockets are not supported).
   * @default DD_TRACE_AGENT_URL ?? `http://${DD_AGENT_HOST ?? 'localhost'}:${DD_TRACE_AGENT_PORT ?? 8126}`
   */
  url?: string;
  /** Span `service` and `dd.service`. @default DD_SERVICE ?? init's `service` */
  service?: string;
  /** `env` tag and `dd.env`. @default DD_ENV ?? init's `environment` */
  env?: string;
  /** `version` tag and `dd.version`. @default DD_VERSION ?? init's `release` */
  version?: string;
  /**
   * What the exporter takes. Errors are not sent on their own: an error captured while its span
   * is open marks that span (`error: 1`, `error.type|message|stack`), as Datadog Error Tracking reads them.
   * @default ['span', 'error']
   */
  kinds?: DatadogItemKind[];
  /** Add `dd.trace_id`, `dd.span_id`, `dd.service`, `dd.env`, `dd.version` to logger integrations' records. @default true */
  logInjection?: boolean;
  /** Deadline of one request in ms. @default 10000 */
  timeoutMs?: number;
  /** Transport tuning (queue bound, batch size, retries, backoff). @default init's `transportQueueSize`, `maxBatchSize`, `flushInterval` */
  transport?: DatadogTransportTuning;
  /** Where the `DD_*` variables are read. @default process.env */
  variables?: Record<string, string | undefined>;
}

export interface ResolvedDatadogOptions {
  readonly tracesUrl: string;
  readonly service: string | undefined;
  readonly env: string | undefined;
  readonly version: string | undefined;
  readonly kinds: ReadonlySet<DatadogItemKind>;
  readonly logInjection: boolean;
  readonly timeoutMs: number;
  readonly transport: DatadogTransportTuning;
}

const KINDS: readonly DatadogItemKind[] = ['span', 'error'];

function envStr(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function invalid(name: string, what: string): TypeError {
  return new TypeError(`Invalid \`${name}\`: must be ${what}`);
}

function optString(options: DatadogExporterOptions, name: 'service' | 'env' | 'version'): string | undefined {
  const v = options[name];
  if (v !== undefined && (typeof v !== 'string' || v === '')) throw invalid(name, 'a non-empty string');
  return v;
}

/** Validates once, reads the `DD_*` variables once, resolves every default. Throws `TypeError` on bad options. */
export function resolveDatadogOptions(options: DatadogExporterOptions = {}): ResolvedDatadogOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'an object');
  const vars = options.variables ?? process.env;
  let url = options.url ?? envStr(vars, 'DD_TRACE_AGENT_URL');
  if (url === undefined) {
    const host = envStr(vars, 'DD_AGENT_HOST') ?? 'localhost';
    const port = envStr(vars, 'DD_TRACE_AGENT_PORT') ?? '8126';
    url = `http://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('url', 'an absolute http(s) URL of the trace agent');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid('url', 'an absolute http(s) URL of the trace agent (unix sockets are not supported)');
  }
  const kinds = options.kinds ?? KINDS;
  if (!Array.isArray(kinds) || !kinds.every((k) => KINDS.includes(k))) throw invalid('kinds', "an array of 'span', 'error'");
  const timeoutMs = options.timeoutMs ?? 10_000;
  if (!(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)) throw invalid('timeoutMs', 'a positive number');
  if (options.logInjection !== undefined && typeof options.logInjection !== 'boolean') throw invalid('logInjection', 'a boolean');
  return Object.freeze({
    tracesUrl: `${url.replace(/\/+$/, '')}/v0.4/traces`,
    service: optString(options, 'service') ?? envStr(vars, 'DD_SERVICE'),
    env: optString(options, 'env') ?? envStr(vars, 'DD_ENV'),
    version: optString(options, 'version') ?? envStr(vars, 'DD_VERSION'),
    kinds: new Set(kinds),
    logInjection: options.logInjection ?? true,
    timeoutMs,
    transport: Object.freeze({ ...options.transport }),
  });
}
