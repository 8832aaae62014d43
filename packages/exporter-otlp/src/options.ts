import type { TransportOptions } from '@sightline/core';

/** Item kinds the OTLP exporter can send: spans to `/v1/traces`, logs and errors to `/v1/logs`. */
export type OtlpItemKind = 'span' | 'log' | 'error';

/** Transport tuning; the retry, backoff, 429 and bounds rules are the shared transport's. */
export type OtlpTransportTuning = Pick<
  TransportOptions,
  'queueSize' | 'maxBatchSize' | 'flushInterval' | 'maxInFlight' | 'maxRetries' | 'retryBaseMs' | 'maxRetryAfterMs' | 'defaultRetryAfterMs'
>;

export interface OtlpExporterOptions {
  /**
   * Base URL; `/v1/traces` and `/v1/logs` are appended.
   * @default OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318'
   */
  endpoint?: string;
  /** Full traces URL, used as is. @default OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? `${endpoint}/v1/traces` */
  tracesEndpoint?: string;
  /** Full logs URL, used as is. @default OTEL_EXPORTER_OTLP_LOGS_ENDPOINT ?? `${endpoint}/v1/logs` */
  logsEndpoint?: string;
  /** Extra request headers (e.g. an API key); never logged. Merged over OTEL_EXPORTER_OTLP_HEADERS. @default {} */
  headers?: Record<string, string>;
  /** Body encoding. @default OTEL_EXPORTER_OTLP_PROTOCOL ?? 'http/json' */
  protocol?: 'http/json' | 'http/protobuf';
  /** `service.name`. @default OTEL_SERVICE_NAME ?? OTEL_RESOURCE_ATTRIBUTES service.name ?? init's `service` */
  serviceName?: string;
  /** Resource attributes, merged over OTEL_RESOURCE_ATTRIBUTES and the detected ones. @default {} */
  resourceAttributes?: Record<string, string | number | boolean>;
  /** Which items this exporter takes. @default ['span', 'log', 'error'] */
  kinds?: OtlpItemKind[];
  /** Deadline of one request in ms. @default OTEL_EXPORTER_OTLP_TIMEOUT ?? 10000 */
  timeoutMs?: number;
  /** Gzip bodies of 1 KiB and more. @default OTEL_EXPORTER_OTLP_COMPRESSION !== 'none' */
  compression?: boolean;
  /** Transport tuning (queue bound, batch size, retries, backoff). @default init's `transportQueueSize`, `maxBatchSize`, `flushInterval` */
  transport?: OtlpTransportTuning;
  /** Where the `OTEL_*` variables are read. @default process.env */
  env?: Record<string, string | undefined>;
}

export interface ResolvedOtlpOptions {
  readonly tracesUrl: string;
  readonly logsUrl: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly protobuf: boolean;
  readonly serviceName: string | undefined;
  readonly resourceAttributes: Readonly<Record<string, string | number | boolean>>;
  readonly kinds: ReadonlySet<OtlpItemKind>;
  readonly timeoutMs: number;
  readonly compression: boolean;
  readonly transport: OtlpTransportTuning;
}

const KINDS: readonly OtlpItemKind[] = ['span', 'log', 'error'];

function envStr(env: Record<string, string | undefined>, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function invalid(name: string, what: string): TypeError {
  return new TypeError(`Invalid \`${name}\`: must be ${what}`);
}

function checkUrl(url: string, name: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw invalid(name, 'an absolute http(s) URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid(name, 'an absolute http(s) URL');
  return url;
}

/** `a=b,c=d` (W3C baggage-like, values percent-encoded) as used by OTEL_*_HEADERS and OTEL_RESOURCE_ATTRIBUTES. */
export function parseKeyValueList(raw: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!raw || raw.length > 16_384) return out;
  for (const part of raw.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // Kept as written: a stray % is more likely a literal than an encoding.
    }
    if (key) out[key] = value;
  }
  return out;
}

function stringAttr(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function withSignal(base: string, signal: string): string {
  return `${base.replace(/\/+$/, '')}/v1/${signal}`;
}

/** Validates once, reads the `OTEL_*` variables once, resolves every default. Throws `TypeError` on bad options. */
export function resolveOtlpOptions(options: OtlpExporterOptions = {}): ResolvedOtlpOptions {
  if (typeof options !== 'object' || options === null) throw invalid('options', 'an object');
  const env = options.env ?? process.env;
  const protocol = options.protocol ?? envStr(env, 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? envStr(env, 'OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/json';
  if (protocol !== 'http/json' && protocol !== 'http/protobuf') throw invalid('protocol', "'http/json' or 'http/protobuf'");
  const base = checkUrl(options.endpoint ?? envStr(env, 'OTEL_EXPORTER_OTLP_ENDPOINT') ?? 'http://localhost:4318', 'endpoint');
  const tracesUrl = checkUrl(options.tracesEndpoint ?? envStr(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT') ?? withSignal(base, 'traces'), 'tracesEndpoint');
  const logsUrl = checkUrl(options.logsEndpoint ?? envStr(env, 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT') ?? withSignal(base, 'logs'), 'logsEndpoint');
  if (options.headers !== undefined && (typeof options.headers !== 'object' || options.headers === null || Object.values(options.headers).some((v) => typeof v !== 'string'))) {
    throw invalid('headers', 'an object of string values');
  }
  const kinds = options.kinds ?? KINDS;
  if (!Array.isArray(kinds) || !kinds.every((k) => KINDS.includes(k))) throw invalid('kinds', "an array of 'span', 'log', 'error'");
  const envTimeout = envStr(env, 'OTEL_EXPORTER_OTLP_TIMEOUT');
  const timeoutMs = options.timeoutMs ?? (envTimeout !== undefined && Number(envTimeout) > 0 ? Number(envTimeout) : 10_000);
  if (!(typeof timeoutMs === 'number' && Number.isFinite(timeoutMs) && timeoutMs > 0)) throw invalid('timeoutMs', 'a positive number');
  if (options.serviceName !== undefined && typeof options.serviceName !== 'string') throw invalid('serviceName', 'a string');
  if (options.resourceAttributes !== undefined && (typeof options.resourceAttributes !== 'object' || options.resourceAttributes === null)) {
    throw invalid('resourceAttributes', 'an object');
  }
  const envResource = parseKeyValueList(envStr(env, 'OTEL_RESOURCE_ATTRIBUTES'));
  return Object.freeze({
    tracesUrl,
    logsUrl,
    headers: Object.freeze({ ...parseKeyValueList(envStr(env, 'OTEL_EXPORTER_OTLP_HEADERS')), ...options.headers }),
    protobuf: protocol === 'http/protobuf',
    serviceName:
      options.serviceName ??
      stringAttr(options.resourceAttributes?.['service.name']) ??
      envStr(env, 'OTEL_SERVICE_NAME') ??
      envResource['service.name'],
    resourceAttributes: Object.freeze({ ...envResource, ...options.resourceAttributes }),
    kinds: new Set(kinds),
    timeoutMs,
    compression: options.compression ?? envStr(env, 'OTEL_EXPORTER_OTLP_COMPRESSION') !== 'none',
    transport: Object.freeze({ ...options.transport }),
  });
}
