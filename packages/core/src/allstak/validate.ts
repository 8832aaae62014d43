import { ALLSTAK_ENDPOINTS, type AllStakEndpoint } from './wire.js';

/**
 * The one runtime validator for AllStak ingest bodies, shared by the SDK tests, the test kit's
 * ingest server and the local collector. Not on the capture path (it runs on received bodies).
 *
 * Decisions, where PROTOCOL.md is silent:
 * - Unknown extra fields are allowed everywhere (forward-compatible, like the backend's DTOs).
 * - A field whose value is `undefined` counts as absent (so pre-`JSON.stringify` objects
 *   validate the same as their JSON); `null` is NOT absent and fails the type check.
 * - Error-event `metadata` is flat: values are string | finite number | boolean | null.
 *   Log and http-request `metadata` are any JSON object (log records carry structured fields).
 * - Every `durationMs`, epoch-ms timestamp, status code and size is an integer >= 0, as the Go
 *   SDK's int/int64 DTO fields are (`rowsAffected` may be -1 for unknown).
 * - `WireFrame.lineno`/`colno` are optional: native frames have no position.
 * - `platform`/`sdkName` are any non-empty string (other AllStak SDKs send other values).
 * - Heartbeat `status` is `success | failed` (the Go SDK's values).
 * Error messages name the field path (`spans[3].traceId: …`) and never echo field values,
 * which may carry secrets or PII.
 */

export type ValidationResult = { ok: true } | { ok: false; error: string };

/** Returns an error message (`<path>: <problem>`) or undefined when valid. */
type Check = (v: unknown, path: string) => string | undefined;
interface Field {
  required: boolean;
  check: Check;
}

const OK: ValidationResult = Object.freeze({ ok: true });

const typeName = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
const bad = (path: string, what: string, v: unknown) => `${path}: must be ${what} (got ${typeName(v)})`;
const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const req = (check: Check): Field => ({ required: true, check });
const opt = (check: Check): Field => ({ required: false, check });

// ---- primitives -------------------------------------------------------------------------

const str: Check = (v, p) => (typeof v === 'string' ? undefined : bad(p, 'a string', v));
const nonEmpty: Check = (v, p) =>
  typeof v === 'string' && v.length > 0 ? undefined : bad(p, 'a non-empty string', v);
const bool: Check = (v, p) => (typeof v === 'boolean' ? undefined : bad(p, 'a boolean', v));

function maxLen(max: number): Check {
  return (v, p) =>
    typeof v !== 'string'
      ? bad(p, 'a string', v)
      : v.length > max
        ? `${p}: must be at most ${max} characters`
        : undefined;
}

function int(min: number, max = Number.MAX_SAFE_INTEGER): Check {
  return (v, p) =>
    typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max
      ? undefined
      : bad(p, `an integer in [${min}, ${max === Number.MAX_SAFE_INTEGER ? 'max' : max}]`, v);
}

function oneOf(values: readonly string[]): Check {
  const set = new Set(values);
  const what = `one of ${values.join('|')}`;
  return (v, p) => (typeof v === 'string' && set.has(v) ? undefined : `${p}: must be ${what}`);
}

function pattern(re: RegExp, what: string): Check {
  return (v, p) => (typeof v === 'string' && re.test(v) ? undefined : `${p}: must be ${what}`);
}

const ALL_ZERO = /^0+$/;
const TRACE_ID = /^[0-9a-f]{32}$/;
const SPAN_ID = /^[0-9a-f]{16}$/;
const traceId: Check = (v, p) =>
  typeof v === 'string' && TRACE_ID.test(v) && !ALL_ZERO.test(v)
    ? undefined
    : `${p}: must be 32 lowercase hex, not all zeros`;
const spanId: Check = (v, p) =>
  typeof v === 'string' && SPAN_ID.test(v) && !ALL_ZERO.test(v)
    ? undefined
    : `${p}: must be 16 lowercase hex, not all zeros`;
const parentSpanId: Check = (v, p) =>
  v === '' ? undefined : spanId(v, p) && `${p}: must be '' or 16 lowercase hex`;

// Fixed-shape and anchored: linear-time on any input.
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;
const isoDate: Check = (v, p) =>
  typeof v === 'string' && ISO.test(v) && !Number.isNaN(Date.parse(v))
    ? undefined
    : `${p}: must be an ISO 8601 date-time string`;

const anyObject: Check = (v, p) => (isObject(v) ? undefined : bad(p, 'an object', v));

function arrayOf(item: Check, nonEmptyArray = false): Check {
  return (v, p) => {
    if (!Array.isArray(v)) return bad(p, 'an array', v);
    if (nonEmptyArray && v.length === 0) return `${p}: must be a non-empty array`;
    for (let i = 0; i < v.length; i++) {
      const e = item(v[i], `${p}[${i}]`);
      if (e) return e;
    }
    return undefined;
  };
}

function mapOf(value: Check): Check {
  return (v, p) => {
    if (!isObject(v)) return bad(p, 'an object', v);
    for (const k of Object.keys(v)) {
      const e = value(v[k], join(p, k));
      if (e) return e;
    }
    return undefined;
  };
}

const flatValue: Check = (v, p) =>
  v === null ||
  typeof v === 'string' ||
  typeof v === 'boolean' ||
  (typeof v === 'number' && Number.isFinite(v))
    ? undefined
    : bad(p, 'a string, finite number, boolean or null (metadata is flat)', v);

function object(
  spec: Record<string, Field>,
  refine?: (o: Record<string, unknown>, p: string) => string | undefined,
): Check {
  const keys = Object.keys(spec);
  return (v, p) => {
    if (!isObject(v)) return bad(p || 'body', 'a JSON object', v);
    for (const k of keys) {
      const f = spec[k]!;
      const value = v[k];
      if (value === undefined) {
        if (f.required) return `${join(p, k)}: is required`;
        continue;
      }
      const e = f.check(value, join(p, k));
      if (e) return e;
    }
    return refine ? refine(v, p) : undefined;
  };
}

// ---- bodies -----------------------------------------------------------------------------

const STACK_LINE = pattern(/^ {4}at /, "a stack line starting with '    at '");
const strings = arrayOf(str);
const durationMs = int(0);
const epochMs = int(0);

const frame = object({
  filename: req(str),
  absPath: req(str),
  function: req(str),
  lineno: opt(int(0)),
  colno: opt(int(0)),
  inApp: req(bool),
  platform: req(nonEmpty),
  contextLine: opt(str),
  preContext: opt(strings),
  postContext: opt(strings),
});

const breadcrumb = object({
  timestamp: req(isoDate),
  type: req(nonEmpty),
  category: opt(str),
  message: req(str),
  level: req(oneOf(['debug', 'info', 'warn', 'error'])),
  data: opt(anyObject),
});

const errorEvent = object({
  exceptionClass: req(nonEmpty),
  message: req(str),
  stackTrace: opt(arrayOf(STACK_LINE)),
  frames: opt(arrayOf(frame)),
  level: opt(oneOf(['fatal', 'error', 'warning', 'info', 'debug'])),
  environment: opt(str),
  release: opt(str),
  dist: opt(str),
  platform: opt(nonEmpty),
  sdkName: opt(nonEmpty),
  sdkVersion: opt(nonEmpty),
  sessionId: opt(nonEmpty),
  traceId: opt(traceId),
  spanId: opt(spanId),
  parentSpanId: opt(parentSpanId),
  requestId: opt(str),
  user: opt(object({ id: opt(str), email: opt(str), ip: opt(str) })),
  requestContext: opt(
    object({
      method: opt(str),
      path: opt(str),
      host: opt(str),
      route: opt(str),
      statusCode: opt(int(0, 999)),
      userAgent: opt(str),
    }),
  ),
  breadcrumbs: opt(arrayOf(breadcrumb)),
  fingerprint: opt(strings),
  metadata: opt(mapOf(flatValue)),
});

const logRecord = object({
  level: req(oneOf(['debug', 'info', 'warn', 'error', 'fatal'])),
  message: req(str),
  timestamp: opt(isoDate),
  service: opt(str),
  environment: opt(str),
  release: opt(str),
  traceId: opt(traceId),
  spanId: opt(spanId),
  requestId: opt(str),
  userId: opt(str),
  metadata: opt(anyObject),
});

const span = object(
  {
    traceId: req(traceId),
    spanId: req(spanId),
    parentSpanId: opt(parentSpanId),
    operation: req(nonEmpty),
    description: opt(str),
    status: opt(oneOf(['ok', 'error'])),
    durationMs: req(durationMs),
    startTimeMillis: req(epochMs),
    endTimeMillis: req(epochMs),
    service: opt(str),
    environment: opt(str),
    release: opt(str),
    tags: opt(mapOf(str)),
    data: opt(str),
  },
  (o, p) =>
    (o.endTimeMillis as number) < (o.startTimeMillis as number)
      ? `${join(p, 'endTimeMillis')}: must be >= startTimeMillis`
      : undefined,
);

const httpRequest = object({
  direction: req(oneOf(['inbound', 'outbound'])),
  method: req(nonEmpty),
  host: req(str),
  path: req(pattern(/^[^?]*$/, 'a path without a query string')),
  statusCode: req(int(0, 999)),
  durationMs: req(durationMs),
  timestamp: req(isoDate),
  traceId: opt(traceId),
  spanId: opt(spanId),
  parentSpanId: opt(parentSpanId),
  requestId: opt(str),
  requestSize: opt(int(0)),
  responseSize: opt(int(0)),
  userId: opt(str),
  errorFingerprint: opt(str),
  environment: opt(str),
  release: opt(str),
  service: opt(str),
  metadata: opt(anyObject),
});

const dbQuery = object({
  normalizedQuery: req(nonEmpty),
  queryHash: req(pattern(/^[0-9a-f]{1,128}$/, 'lowercase hex (1-128 chars)')),
  queryType: req(pattern(/^[A-Z][A-Z0-9_]*$/, 'an upper-case query type such as SELECT or OTHER')),
  durationMs: req(durationMs),
  timestampMillis: req(epochMs),
  status: req(oneOf(['success', 'error'])),
  errorMessage: opt(maxLen(500)),
  databaseName: opt(str),
  databaseType: opt(str),
  service: opt(str),
  environment: opt(str),
  traceId: opt(traceId),
  spanId: opt(spanId),
  rowsAffected: opt(int(-1)),
});

const CHECKS: Record<AllStakEndpoint, Check> = {
  errors: errorEvent,
  logs: logRecord,
  spans: object({ spans: req(arrayOf(span, true)) }),
  httpRequests: object({ requests: req(arrayOf(httpRequest, true)) }),
  db: object({ queries: req(arrayOf(dbQuery, true)) }),
  sessionStart: object({
    sessionId: req(nonEmpty),
    release: req(nonEmpty),
    environment: opt(str),
    userId: opt(str),
    sdkName: req(nonEmpty),
    sdkVersion: req(nonEmpty),
    platform: req(nonEmpty),
  }),
  sessionEnd: object({
    sessionId: req(nonEmpty),
    durationMs: req(durationMs),
    status: req(oneOf(['ok', 'errored', 'crashed', 'abnormal'])),
  }),
  heartbeat: object({
    slug: req(nonEmpty),
    status: req(oneOf(['success', 'failed'])),
    durationMs: req(durationMs),
    message: opt(str),
  }),
  releases: object({ version: req(nonEmpty), environment: opt(str) }),
};

const BY_PATH = new Map<string, AllStakEndpoint>(
  (Object.keys(ALLSTAK_ENDPOINTS) as AllStakEndpoint[]).map((k) => [ALLSTAK_ENDPOINTS[k], k]),
);

/**
 * The endpoint for an ingest path (a query string is ignored), or undefined.
 * @example endpointForPath('/ingest/v1/spans') // 'spans'
 */
export function endpointForPath(path: string): AllStakEndpoint | undefined {
  const q = path.indexOf('?');
  return BY_PATH.get(q === -1 ? path : path.slice(0, q));
}

/**
 * Validates a (parsed JSON) body against the AllStak protocol for `path`, an
 * `ALLSTAK_ENDPOINTS` value. Never throws; stops at the first problem.
 * @example validateWireBody('/ingest/v1/spans', { spans: [] })
 * // { ok: false, error: 'spans: must be a non-empty array' }
 */
export function validateWireBody(path: string, body: unknown): ValidationResult {
  const endpoint = endpointForPath(path);
  if (!endpoint) return { ok: false, error: `unknown AllStak ingest path: ${String(path).slice(0, 200)}` };
  try {
    const error = CHECKS[endpoint](body, '');
    return error ? { ok: false, error } : OK;
  } catch {
    // Throwing getters/proxies: report rather than throw into the caller.
    return { ok: false, error: 'body: could not be inspected' };
  }
}
