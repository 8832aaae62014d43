import { hostname } from 'node:os';
import { SightlineOptionError } from './errors.js';
import type { Breadcrumb, ErrorEvent, SpanRecord } from './types.js';
import type { Transport, TransportOptions } from './transport/types.js';
import type { Propagator } from './propagation/types.js';
import type { Exporter } from './exporter.js';
import type { Integration } from './integration.js';

/** What `tracesSampler` is asked about a new root span. */
export interface SamplingContext {
  name: string;
  kind: string;
  /** The inbound sampled flag, when the trace was continued. */
  parentSampled?: boolean;
  attributes?: Record<string, unknown>;
}

export interface SightlineOptions {
  /** AllStak API key. @default process.env.ALLSTAK_API_KEY */
  apiKey?: string;
  /** `https://<key>@<host>` or a bare key. @default process.env.ALLSTAK_DSN */
  dsn?: string;
  /** Ingest host. @default process.env.ALLSTAK_HOST ?? 'https://api.allstak.sa' */
  host?: string;
  /** @default ALLSTAK_RELEASE, npm_package_version, then CI commit variables */
  release?: string;
  /** @default ALLSTAK_ENVIRONMENT ?? NODE_ENV ?? 'production' */
  environment?: string;
  /** @default ALLSTAK_SERVER_NAME ?? os.hostname() */
  serverName?: string;
  /** Service name on spans, logs and records. @default OTEL_SERVICE_NAME ?? npm_package_name ?? 'node' */
  service?: string;
  /** Share of error events sent, 0..1. @default 1 */
  sampleRate?: number;
  /** Share of new traces sampled, 0..1. @default 1 */
  tracesSampleRate?: number;
  /** Decides sampling for new root spans; wins over `tracesSampleRate`. Return a rate or boolean. */
  tracesSampler?: (ctx: SamplingContext) => number | boolean;
  /** @default 100 */
  maxBreadcrumbs?: number;
  /** Attach a stack trace to `captureMessage` events. @default false */
  attachStacktrace?: boolean;
  /** When false, values that look like PII or secrets are scrubbed before leaving the process. @default false */
  sendDefaultPii?: boolean;
  /** Path substrings whose frames count as in-app. @default [] */
  inAppInclude?: string[];
  /** Path substrings whose frames never count as in-app. @default [] */
  inAppExclude?: string[];
  /** Errors whose message or class matches (substring or RegExp) are not sent. @default [] */
  ignoreErrors?: (string | RegExp)[];
  /** Last look at an error event; return null to drop it. If it throws, the event is dropped (fail-closed). */
  beforeSend?: (event: ErrorEvent) => ErrorEvent | null;
  /** Send the event unchanged when `beforeSend` throws, instead of dropping it. @default false */
  beforeSendFailOpen?: boolean;
  /** Return null to drop a breadcrumb. */
  beforeBreadcrumb?: (crumb: Breadcrumb) => Breadcrumb | null;
  /** Return null to drop a finished span. */
  beforeSendSpan?: (span: SpanRecord) => SpanRecord | null;
  /** Print SDK diagnostics to stderr (never the API key). @default ALLSTAK_DEBUG === 'true' */
  debug?: boolean;
  /** How long `close` and crash handling wait for delivery, in ms. @default 2000 */
  shutdownTimeout?: number;
  /** Track release-health sessions (needs a release). @default true */
  autoSessionTracking?: boolean;
  /** One session per process, or one per inbound request. @default 'application' */
  sessionMode?: 'application' | 'request';
  /** Install the process integration (uncaught errors, exit flush). @default true */
  defaultIntegrations?: boolean;
  /** Extra integrations (`{ name, setup(client) }`). @default [] */
  integrations?: Integration[];
  /** Outbound URLs (substring or RegExp) that get trace headers. @default all */
  tracePropagationTargets?: (string | RegExp)[];
  /** Replaces the default HTTP transport factory (tests, exotic deployments). */
  transport?: (options: TransportOptions) => Transport;
  /** Items queued per category before new ones are dropped and counted. @default 1000 */
  transportQueueSize?: number;
  /** Items per batched request. @default 100 */
  maxBatchSize?: number;
  /** Batched categories are sent at least this often, in ms. @default 1000 */
  flushInterval?: number;
  /** Extra exporters (OTLP, Datadog, ...). AllStak is added first when an AllStak key is known. @default [] */
  exporters?: Exporter[];
  /** Header formats, tried in order on extract, all written on inject. @default ['w3c', 'allstak'] */
  propagators?: (string | Propagator)[];
  /** Silence the warning for a plain-http, non-loopback host. @default false */
  allowInsecureTransport?: boolean;
  /** Install SIGTERM/SIGINT handlers that flush before exiting. @default false */
  signalHandlers?: boolean;
}

export interface ResolvedOptions {
  readonly apiKey: string | undefined;
  readonly host: string;
  readonly release: string | undefined;
  readonly environment: string;
  readonly serverName: string;
  readonly service: string;
  readonly sampleRate: number;
  readonly tracesSampleRate: number;
  readonly tracesSampler: SightlineOptions['tracesSampler'];
  readonly maxBreadcrumbs: number;
  readonly attachStacktrace: boolean;
  readonly sendDefaultPii: boolean;
  readonly inAppInclude: readonly string[];
  readonly inAppExclude: readonly string[];
  readonly ignoreErrors: readonly (string | RegExp)[];
  readonly beforeSend: SightlineOptions['beforeSend'];
  readonly beforeSendFailOpen: boolean;
  readonly beforeBreadcrumb: SightlineOptions['beforeBreadcrumb'];
  readonly beforeSendSpan: SightlineOptions['beforeSendSpan'];
  readonly debug: boolean;
  readonly shutdownTimeout: number;
  readonly autoSessionTracking: boolean;
  readonly sessionMode: 'application' | 'request';
  readonly defaultIntegrations: boolean;
  readonly integrations: readonly Integration[];
  readonly tracePropagationTargets: readonly (string | RegExp)[] | undefined;
  readonly transport: SightlineOptions['transport'];
  readonly transportQueueSize: number;
  readonly maxBatchSize: number;
  readonly flushInterval: number;
  readonly exporters: readonly Exporter[];
  readonly propagators: readonly (string | Propagator)[];
  readonly allowInsecureTransport: boolean;
  readonly signalHandlers: boolean;
}

export const DEFAULT_HOST = 'https://api.allstak.sa';

const CI_COMMIT_VARS = [
  'GITHUB_SHA',
  'CI_COMMIT_SHA',
  'VERCEL_GIT_COMMIT_SHA',
  'RENDER_GIT_COMMIT',
  'RAILWAY_GIT_COMMIT_SHA',
  'CF_PAGES_COMMIT_SHA',
  'CIRCLE_SHA1',
  'BITBUCKET_COMMIT',
  'BUILDKITE_COMMIT',
  'HEROKU_SLUG_COMMIT',
  'SOURCE_VERSION',
  'COMMIT_REF',
];

function envStr(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

function envBool(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const v = envStr(env, name);
  if (v === undefined) return undefined;
  if (/^(1|true|yes|on)$/i.test(v)) return true;
  if (/^(0|false|no|off)$/i.test(v)) return false;
  throw new SightlineOptionError(name, 'true or false');
}

function envRate(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = envStr(env, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new SightlineOptionError(name, 'a number between 0 and 1');
  return n;
}

/** Splits a DSN into key and host: `https://<key>@<host>` or a bare key. Never echoes the DSN. */
export function parseDsn(dsn: string): { apiKey: string; host?: string } {
  const at = dsn.lastIndexOf('@');
  if (at === -1) return { apiKey: dsn };
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new SightlineOptionError('dsn', 'a bare key or a URL of the form https://<key>@<host>');
  }
  const apiKey = decodeURIComponent(url.username);
  if (!apiKey) throw new SightlineOptionError('dsn', 'a bare key or a URL of the form https://<key>@<host>');
  return { apiKey, host: `${url.protocol}//${url.host}${url.pathname === '/' ? '' : url.pathname}` };
}

function normalizeHost(host: string, option: string): string {
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    throw new SightlineOptionError(option, 'an absolute http(s) URL such as https://api.allstak.sa');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SightlineOptionError(option, 'an absolute http(s) URL such as https://api.allstak.sa');
  }
  if (url.username || url.password) throw new SightlineOptionError(option, 'a URL without credentials');
  return host.replace(/\/+$/, '');
}

type Check = (v: unknown) => boolean;
const isString: Check = (v) => typeof v === 'string';
const isBool: Check = (v) => typeof v === 'boolean';
const isFn: Check = (v) => typeof v === 'function';
const isRate: Check = (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 1;
const isPositiveInt: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v > 0;
const isNonNegInt: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isStringArray: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'string');
const isMatcherArray: Check = (v) =>
  Array.isArray(v) && v.every((x) => typeof x === 'string' || x instanceof RegExp);
const isObjectArray: Check = (v) => Array.isArray(v) && v.every((x) => typeof x === 'object' && x !== null);

const CHECKS: Record<keyof SightlineOptions, [Check, string]> = {
  apiKey: [isString, 'a string'],
  dsn: [isString, 'a string'],
  host: [isString, 'a string URL'],
  release: [isString, 'a string'],
  environment: [isString, 'a string'],
  serverName: [isString, 'a string'],
  service: [isString, 'a string'],
  sampleRate: [isRate, 'a number between 0 and 1'],
  tracesSampleRate: [isRate, 'a number between 0 and 1'],
  tracesSampler: [isFn, 'a function'],
  maxBreadcrumbs: [isNonNegInt, 'a non-negative integer'],
  attachStacktrace: [isBool, 'a boolean'],
  sendDefaultPii: [isBool, 'a boolean'],
  inAppInclude: [isStringArray, 'an array of strings'],
  inAppExclude: [isStringArray, 'an array of strings'],
  ignoreErrors: [isMatcherArray, 'an array of strings or RegExps'],
  beforeSend: [isFn, 'a function'],
  beforeSendFailOpen: [isBool, 'a boolean'],
  beforeBreadcrumb: [isFn, 'a function'],
  beforeSendSpan: [isFn, 'a function'],
  debug: [isBool, 'a boolean'],
  shutdownTimeout: [isNonNegInt, 'a non-negative integer (milliseconds)'],
  autoSessionTracking: [isBool, 'a boolean'],
  sessionMode: [(v) => v === 'application' || v === 'request', "'application' or 'request'"],
  defaultIntegrations: [isBool, 'a boolean'],
  integrations: [
    (v) => Array.isArray(v) && v.every((i) => i && typeof i.name === 'string' && typeof i.setup === 'function'),
    'an array of { name, setup } objects',
  ],
  tracePropagationTargets: [isMatcherArray, 'an array of strings or RegExps'],
  transport: [isFn, 'a function (transport factory)'],
  transportQueueSize: [isPositiveInt, 'a positive integer'],
  maxBatchSize: [isPositiveInt, 'a positive integer'],
  flushInterval: [isPositiveInt, 'a positive integer (milliseconds)'],
  exporters: [isObjectArray, 'an array of exporters'],
  propagators: [
    (v) => Array.isArray(v) && v.every((p) => typeof p === 'string' || (p && typeof p.extract === 'function')),
    'an array of propagator names or propagators',
  ],
  allowInsecureTransport: [isBool, 'a boolean'],
  signalHandlers: [isBool, 'a boolean'],
};

/**
 * Validates `options` once and resolves every default once, into one frozen object.
 * Throws a `TypeError` naming the first invalid option; never includes option values (the
 * API key could be one of them).
 */
export function resolveOptions(options: SightlineOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new SightlineOptionError('options', 'an object');
  for (const key of Object.keys(options) as (keyof SightlineOptions)[]) {
    const value = options[key];
    if (value === undefined) continue;
    // Own keys only: `toString` or `constructor` must not find Object.prototype's functions.
    const check = Object.hasOwn(CHECKS, key) ? CHECKS[key] : undefined;
    if (check && !check[0](value)) throw new SightlineOptionError(key, check[1]);
  }

  let apiKey = options.apiKey;
  let host = options.host;
  const dsn = options.dsn ?? (apiKey === undefined ? envStr(env, 'ALLSTAK_DSN') : undefined);
  if (apiKey === undefined) apiKey = envStr(env, 'ALLSTAK_API_KEY');
  if (apiKey === undefined && dsn !== undefined) {
    const parsed = parseDsn(dsn);
    apiKey = parsed.apiKey;
    host ??= parsed.host;
  }
  host = normalizeHost(host ?? envStr(env, 'ALLSTAK_HOST') ?? DEFAULT_HOST, options.host ? 'host' : 'ALLSTAK_HOST');

  let release = options.release ?? envStr(env, 'ALLSTAK_RELEASE') ?? envStr(env, 'npm_package_version');
  for (let i = 0; release === undefined && i < CI_COMMIT_VARS.length; i++) release = envStr(env, CI_COMMIT_VARS[i]!);

  return Object.freeze({
    apiKey: apiKey === '' ? undefined : apiKey,
    host,
    release,
    environment: options.environment ?? envStr(env, 'ALLSTAK_ENVIRONMENT') ?? envStr(env, 'NODE_ENV') ?? 'production',
    serverName: options.serverName ?? envStr(env, 'ALLSTAK_SERVER_NAME') ?? safeHostname(),
    service: options.service ?? envStr(env, 'OTEL_SERVICE_NAME') ?? envStr(env, 'npm_package_name') ?? 'node',
    sampleRate: options.sampleRate ?? envRate(env, 'ALLSTAK_SAMPLE_RATE') ?? 1,
    tracesSampleRate: options.tracesSampleRate ?? envRate(env, 'ALLSTAK_TRACES_SAMPLE_RATE') ?? 1,
    tracesSampler: options.tracesSampler,
    maxBreadcrumbs: options.maxBreadcrumbs ?? 100,
    attachStacktrace: options.attachStacktrace ?? false,
    sendDefaultPii: options.sendDefaultPii ?? envBool(env, 'ALLSTAK_SEND_DEFAULT_PII') ?? false,
    inAppInclude: Object.freeze([...(options.inAppInclude ?? [])]),
    inAppExclude: Object.freeze([...(options.inAppExclude ?? [])]),
    ignoreErrors: Object.freeze([...(options.ignoreErrors ?? [])]),
    beforeSend: options.beforeSend,
    beforeSendFailOpen: options.beforeSendFailOpen ?? false,
    beforeBreadcrumb: options.beforeBreadcrumb,
    beforeSendSpan: options.beforeSendSpan,
    debug: options.debug ?? envBool(env, 'ALLSTAK_DEBUG') ?? false,
    shutdownTimeout: options.shutdownTimeout ?? 2000,
    autoSessionTracking: options.autoSessionTracking ?? true,
    sessionMode: options.sessionMode ?? 'application',
    defaultIntegrations: options.defaultIntegrations ?? true,
    integrations: Object.freeze([...(options.integrations ?? [])]),
    tracePropagationTargets: options.tracePropagationTargets
      ? Object.freeze([...options.tracePropagationTargets])
      : undefined,
    transport: options.transport,
    transportQueueSize: options.transportQueueSize ?? 1000,
    maxBatchSize: options.maxBatchSize ?? 100,
    flushInterval: options.flushInterval ?? 1000,
    exporters: Object.freeze([...(options.exporters ?? [])]),
    propagators: Object.freeze([...(options.propagators ?? ['w3c', 'allstak'])]),
    allowInsecureTransport: options.allowInsecureTransport ?? false,
    signalHandlers: options.signalHandlers ?? false,
  });
}

function safeHostname(): string {
  try {
    return hostname();
  } catch {
    return 'unknown';
  }
}

