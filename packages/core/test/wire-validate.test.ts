import { describe, expect, it } from 'vitest';
import {
  ALLSTAK_ENDPOINTS,
  type AllStakEndpoint,
  type WireBodies,
  endpointForPath,
  validateWireBody,
} from '../src/allstak/index.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN = '00f067aa0ba902b7';
const ISO = '2024-05-01T12:34:56.789Z';

const span = {
  traceId: TRACE,
  spanId: SPAN,
  parentSpanId: '',
  operation: 'GET /users/:id',
  description: 'GET /users/42',
  status: 'ok',
  durationMs: 12,
  startTimeMillis: 1_714_566_896_000,
  endTimeMillis: 1_714_566_896_012,
  service: 'api',
  environment: 'production',
  release: '1.2.3',
  tags: { 'span.kind': 'server' },
  data: '{"http.status_code":200}',
} satisfies WireBodies['spans']['spans'][number];

const httpRequest = {
  direction: 'inbound',
  method: 'GET',
  host: 'api.example.com',
  path: '/users/:id',
  statusCode: 200,
  durationMs: 12,
  timestamp: ISO,
  traceId: TRACE,
  spanId: SPAN,
  parentSpanId: '',
  requestId: 'req-1',
  requestSize: 0,
  responseSize: 120,
  userId: 'u1',
  errorFingerprint: 'fp',
  environment: 'production',
  release: '1.2.3',
  service: 'api',
  metadata: { nested: { ok: true } },
} satisfies WireBodies['httpRequests']['requests'][number];

const dbQuery = {
  normalizedQuery: 'SELECT * FROM users WHERE id = ?',
  queryHash: '9f86d081884c7d65',
  queryType: 'SELECT',
  durationMs: 3,
  timestampMillis: 1_714_566_896_000,
  status: 'success',
  errorMessage: 'x',
  databaseName: 'app',
  databaseType: 'postgresql',
  service: 'api',
  environment: 'production',
  traceId: TRACE,
  spanId: SPAN,
  rowsAffected: -1,
} satisfies WireBodies['db']['queries'][number];

/** A full valid example of every body, all optional fields set. */
const VALID: { [K in AllStakEndpoint]: WireBodies[K] } = {
  errors: {
    exceptionClass: 'TypeError',
    message: 'boom',
    stackTrace: ['    at handler (/app/src/h.js:10:5)', '    at next (/app/node_modules/x/index.js:1:1)'],
    frames: [
      {
        filename: 'node_modules/x/index.js',
        absPath: '/app/node_modules/x/index.js',
        function: 'next',
        lineno: 1,
        colno: 1,
        inApp: false,
        platform: 'node',
      },
      {
        filename: 'src/h.js',
        absPath: '/app/src/h.js',
        function: 'handler',
        lineno: 10,
        colno: 5,
        inApp: true,
        platform: 'node',
        contextLine: '  throw new TypeError("boom")',
        preContext: ['function handler() {'],
        postContext: ['}'],
      },
      {
        filename: '<anonymous>',
        absPath: '<anonymous>',
        function: 'new Promise',
        inApp: false,
        platform: 'node',
      },
    ],
    level: 'error',
    environment: 'production',
    release: '1.2.3',
    dist: 'b1',
    platform: 'node',
    sdkName: 'sightline-node',
    sdkVersion: '0.1.0',
    sessionId: 'sess-1',
    traceId: TRACE,
    spanId: SPAN,
    parentSpanId: SPAN,
    requestId: 'req-1',
    user: { id: 'u1', email: 'a@b.c', ip: '10.0.0.1' },
    requestContext: {
      method: 'GET',
      path: '/users/42',
      host: 'api.example.com',
      route: '/users/:id',
      statusCode: 500,
      userAgent: 'curl/8',
    },
    breadcrumbs: [
      {
        timestamp: ISO,
        type: 'http',
        category: 'fetch',
        message: 'GET /x',
        level: 'info',
        data: { a: { b: 1 } },
      },
      { timestamp: '2024-05-01T12:34:56+02:00', type: 'default', message: '', level: 'warn' },
    ],
    fingerprint: ['{{ default }}', 'db'],
    metadata: {
      tag: 'v',
      n: 1.5,
      handled: true,
      mechanism: 'onerror',
      'context.os': '{"name":"linux"}',
      none: null,
    },
  },
  logs: {
    level: 'warn',
    message: 'slow',
    timestamp: ISO,
    service: 'api',
    environment: 'production',
    release: '1.2.3',
    traceId: TRACE,
    spanId: SPAN,
    requestId: 'req-1',
    userId: 'u1',
    metadata: { 'error.type': 'Error', nested: { deep: [1, 2] } },
  },
  spans: { spans: [span, { ...span, spanId: 'a'.repeat(16), parentSpanId: SPAN }] },
  httpRequests: { requests: [httpRequest, { ...httpRequest, direction: 'outbound', statusCode: 0 }] },
  db: { queries: [dbQuery] },
  sessionStart: {
    sessionId: 'sess-1',
    release: '1.2.3',
    environment: 'production',
    userId: 'u1',
    sdkName: 'sightline-node',
    sdkVersion: '0.1.0',
    platform: 'node',
  },
  sessionEnd: { sessionId: 'sess-1', durationMs: 1000, status: 'crashed' },
  heartbeat: { slug: 'nightly', status: 'failed', durationMs: 50, message: 'exit 1' },
  releases: { version: '1.2.3', environment: 'production' },
};

/** Required fields per body, with where they live (a batch item is checked at index 0). */
const REQUIRED: { [K in AllStakEndpoint]: string[] } = {
  errors: ['exceptionClass', 'message'],
  logs: ['level', 'message'],
  spans: ['traceId', 'spanId', 'operation', 'durationMs', 'startTimeMillis', 'endTimeMillis'],
  httpRequests: ['direction', 'method', 'host', 'path', 'statusCode', 'durationMs', 'timestamp'],
  db: ['normalizedQuery', 'queryHash', 'queryType', 'durationMs', 'timestampMillis', 'status'],
  sessionStart: ['sessionId', 'release', 'sdkName', 'sdkVersion', 'platform'],
  sessionEnd: ['sessionId', 'durationMs', 'status'],
  heartbeat: ['slug', 'status', 'durationMs'],
  releases: ['version'],
};
const BATCH_KEY: Partial<Record<AllStakEndpoint, string>> = {
  spans: 'spans',
  httpRequests: 'requests',
  db: 'queries',
};

const ENDPOINTS = Object.keys(ALLSTAK_ENDPOINTS) as AllStakEndpoint[];
const clone = <T>(v: T): T => structuredClone(v);

function check(endpoint: AllStakEndpoint, body: unknown) {
  return validateWireBody(ALLSTAK_ENDPOINTS[endpoint], body);
}
/** The error for `endpoint` after `mutate` changes a copy of its valid example (batch: item 0). */
function errorAfter(
  endpoint: AllStakEndpoint,
  mutate: (item: Record<string, any>) => void,
): string | undefined {
  const body = clone(VALID[endpoint]) as Record<string, any>;
  const key = BATCH_KEY[endpoint];
  mutate(key ? body[key][0] : body);
  const r = check(endpoint, body);
  return r.ok ? undefined : r.error;
}

describe('valid bodies', () => {
  it.each(ENDPOINTS)('%s: the full example passes', (endpoint) => {
    expect(check(endpoint, VALID[endpoint])).toEqual({ ok: true });
  });

  it.each(ENDPOINTS)('%s: the required fields alone pass', (endpoint) => {
    const key = BATCH_KEY[endpoint];
    const full = (key ? (VALID[endpoint] as any)[key][0] : VALID[endpoint]) as Record<string, unknown>;
    const minimal = Object.fromEntries(REQUIRED[endpoint].map((f) => [f, full[f]]));
    expect(check(endpoint, key ? { [key]: [minimal] } : minimal)).toEqual({ ok: true });
  });

  it('unknown extra fields are allowed (forward-compatible)', () => {
    expect(errorAfter('spans', (s) => (s.kind = 'server'))).toBeUndefined();
    expect(errorAfter('errors', (e) => (e.newField = { any: ['thing'] }))).toBeUndefined();
    expect(check('spans', { spans: [span], extra: 1 })).toEqual({ ok: true });
  });

  it('undefined counts as absent; null does not', () => {
    expect(errorAfter('errors', (e) => (e.release = undefined))).toBeUndefined();
    expect(errorAfter('errors', (e) => (e.release = null))).toBe('release: must be a string (got null)');
  });
});

describe('required fields', () => {
  for (const endpoint of ENDPOINTS) {
    const key = BATCH_KEY[endpoint];
    it.each(REQUIRED[endpoint])(`${endpoint}: missing %s fails naming the field`, (field) => {
      const error = errorAfter(endpoint, (item) => delete item[field]);
      expect(error).toBe(`${key ? `${key}[0].` : ''}${field}: is required`);
    });
  }

  it('batch bodies need their non-empty array', () => {
    expect(check('spans', {})).toEqual({ ok: false, error: 'spans: is required' });
    expect(check('spans', { spans: [] })).toEqual({ ok: false, error: 'spans: must be a non-empty array' });
    expect(check('httpRequests', { requests: {} })).toEqual({
      ok: false,
      error: 'requests: must be an array (got object)',
    });
    expect(check('db', { queries: [dbQuery, 'x'] })).toEqual({
      ok: false,
      error: 'queries[1]: must be a JSON object (got string)',
    });
  });

  it('the body must be a JSON object', () => {
    for (const body of [null, [], 'x', 1, undefined]) {
      const r = check('logs', body);
      expect(r.ok).toBe(false);
      expect(!r.ok && r.error).toMatch(/^body: must be a JSON object/);
    }
  });
});

describe('ids', () => {
  it('trace ids are 32 lowercase hex, not all zeros', () => {
    const msg = 'spans[0].traceId: must be 32 lowercase hex, not all zeros';
    for (const bad of [
      TRACE.toUpperCase(),
      TRACE.slice(1),
      `${TRACE}0`,
      '0'.repeat(32),
      `${TRACE.slice(0, 31)}g`,
      7,
    ]) {
      expect(errorAfter('spans', (s) => (s.traceId = bad))).toBe(msg);
    }
    expect(errorAfter('errors', (e) => (e.traceId = 'x'))).toBe(
      'traceId: must be 32 lowercase hex, not all zeros',
    );
    expect(errorAfter('logs', (l) => (l.traceId = '0'.repeat(32)))).toMatch(/^traceId:/);
    expect(errorAfter('httpRequests', (r) => (r.traceId = 'X'))).toMatch(/^requests\[0\]\.traceId:/);
    expect(errorAfter('db', (q) => (q.traceId = 'X'))).toMatch(/^queries\[0\]\.traceId:/);
  });

  it('span ids are 16 lowercase hex, not all zeros; parentSpanId may be empty', () => {
    const msg = 'spans[0].spanId: must be 16 lowercase hex, not all zeros';
    for (const bad of [SPAN.toUpperCase(), SPAN.slice(1), '0'.repeat(16), '']) {
      expect(errorAfter('spans', (s) => (s.spanId = bad))).toBe(msg);
    }
    expect(errorAfter('spans', (s) => (s.parentSpanId = ''))).toBeUndefined();
    expect(errorAfter('spans', (s) => (s.parentSpanId = '0'.repeat(16)))).toBe(
      "spans[0].parentSpanId: must be '' or 16 lowercase hex",
    );
    expect(errorAfter('errors', (e) => (e.parentSpanId = 'abc'))).toBe(
      "parentSpanId: must be '' or 16 lowercase hex",
    );
    expect(errorAfter('httpRequests', (r) => (r.spanId = TRACE))).toMatch(/^requests\[0\]\.spanId:/);
  });
});

describe('enums', () => {
  it('levels are per body type', () => {
    expect(errorAfter('errors', (e) => (e.level = 'warning'))).toBeUndefined();
    expect(errorAfter('errors', (e) => (e.level = 'warn'))).toBe(
      'level: must be one of fatal|error|warning|info|debug',
    );
    expect(errorAfter('logs', (l) => (l.level = 'fatal'))).toBeUndefined();
    expect(errorAfter('logs', (l) => (l.level = 'warning'))).toBe(
      'level: must be one of debug|info|warn|error|fatal',
    );
    expect(errorAfter('logs', (l) => (l.level = 'trace'))).toMatch(/^level:/);
    expect(errorAfter('errors', (e) => (e.breadcrumbs[1].level = 'fatal'))).toBe(
      'breadcrumbs[1].level: must be one of debug|info|warn|error',
    );
    expect(errorAfter('errors', (e) => (e.breadcrumbs[1].level = 'warning'))).toMatch(
      /^breadcrumbs\[1\]\.level:/,
    );
  });

  it('direction, statuses and session status', () => {
    expect(errorAfter('httpRequests', (r) => (r.direction = 'in'))).toBe(
      'requests[0].direction: must be one of inbound|outbound',
    );
    expect(errorAfter('spans', (s) => (s.status = 'unset'))).toBe('spans[0].status: must be one of ok|error');
    expect(errorAfter('db', (q) => (q.status = 'ok'))).toBe(
      'queries[0].status: must be one of success|error',
    );
    expect(errorAfter('sessionEnd', (s) => (s.status = 'exited'))).toBe(
      'status: must be one of ok|errored|crashed|abnormal',
    );
    for (const st of ['ok', 'errored', 'crashed', 'abnormal']) {
      expect(errorAfter('sessionEnd', (s) => (s.status = st))).toBeUndefined();
    }
    expect(errorAfter('heartbeat', (h) => (h.status = 'ok'))).toBe('status: must be one of success|failed');
  });

  it('queryType is an upper-case word', () => {
    expect(errorAfter('db', (q) => (q.queryType = 'OTHER'))).toBeUndefined();
    expect(errorAfter('db', (q) => (q.queryType = 'select'))).toMatch(/^queries\[0\]\.queryType:/);
    expect(errorAfter('db', (q) => (q.queryType = ''))).toMatch(/^queries\[0\]\.queryType:/);
    expect(errorAfter('db', (q) => (q.queryType = 1))).toMatch(/^queries\[0\]\.queryType:/);
  });
});

describe('numbers and times', () => {
  it('durations are integers >= 0', () => {
    for (const bad of [1.5, -1, '5', Number.NaN]) {
      expect(errorAfter('spans', (s) => (s.durationMs = bad))).toMatch(
        /^spans\[0\]\.durationMs: must be an integer/,
      );
    }
    expect(errorAfter('sessionEnd', (s) => (s.durationMs = 0.5))).toMatch(/^durationMs:/);
    expect(errorAfter('httpRequests', (r) => (r.durationMs = -3))).toMatch(/^requests\[0\]\.durationMs:/);
    expect(errorAfter('heartbeat', (h) => (h.durationMs = 0))).toBeUndefined();
  });

  it('span epoch times are integers and end is not before start', () => {
    expect(errorAfter('spans', (s) => (s.startTimeMillis = 1.5))).toMatch(/^spans\[0\]\.startTimeMillis:/);
    expect(errorAfter('spans', (s) => (s.endTimeMillis = s.startTimeMillis - 1))).toBe(
      'spans[0].endTimeMillis: must be >= startTimeMillis',
    );
    expect(errorAfter('spans', (s) => (s.endTimeMillis = s.startTimeMillis))).toBeUndefined();
  });

  it('status codes, sizes and rowsAffected', () => {
    expect(errorAfter('httpRequests', (r) => (r.statusCode = 1000))).toMatch(/^requests\[0\]\.statusCode:/);
    expect(errorAfter('httpRequests', (r) => (r.responseSize = -1))).toMatch(/^requests\[0\]\.responseSize:/);
    expect(errorAfter('db', (q) => (q.rowsAffected = -2))).toMatch(/^queries\[0\]\.rowsAffected:/);
    expect(errorAfter('db', (q) => (q.rowsAffected = 10))).toBeUndefined();
    expect(errorAfter('errors', (e) => (e.requestContext.statusCode = '500'))).toMatch(
      /^requestContext\.statusCode:/,
    );
    expect(errorAfter('errors', (e) => (e.frames[0].lineno = -1))).toMatch(/^frames\[0\]\.lineno:/);
  });

  it('ISO timestamps where the protocol says ISO', () => {
    for (const bad of [
      '2024-05-01',
      '2024-13-01T00:00:00Z',
      '2024-05-01 12:00:00Z',
      1_714_566_896_000,
      'now',
    ]) {
      expect(errorAfter('httpRequests', (r) => (r.timestamp = bad))).toBe(
        'requests[0].timestamp: must be an ISO 8601 date-time string',
      );
    }
    expect(errorAfter('errors', (e) => (e.breadcrumbs[0].timestamp = 123))).toMatch(
      /^breadcrumbs\[0\]\.timestamp:/,
    );
    expect(errorAfter('logs', (l) => (l.timestamp = 'yesterday'))).toMatch(/^timestamp:/);
  });
});

describe('shapes', () => {
  it('span data is a string, tags are string -> string', () => {
    expect(errorAfter('spans', (s) => (s.data = { a: 1 }))).toBe(
      'spans[0].data: must be a string (got object)',
    );
    expect(errorAfter('spans', (s) => (s.tags = { ok: 'v', n: 1 }))).toBe(
      'spans[0].tags.n: must be a string (got number)',
    );
    expect(errorAfter('spans', (s) => (s.tags = ['v']))).toBe('spans[0].tags: must be an object (got array)');
  });

  it('error metadata is flat; log and http-request metadata may nest', () => {
    expect(errorAfter('errors', (e) => (e.metadata.ctx = { a: 1 }))).toBe(
      'metadata.ctx: must be a string, finite number, boolean or null (metadata is flat) (got object)',
    );
    expect(errorAfter('errors', (e) => (e.metadata.list = [1]))).toMatch(/^metadata\.list:/);
    expect(errorAfter('errors', (e) => (e.metadata.inf = Number.POSITIVE_INFINITY))).toMatch(
      /^metadata\.inf:/,
    );
    expect(errorAfter('logs', (l) => (l.metadata = { a: { b: { c: 1 } } }))).toBeUndefined();
    expect(errorAfter('logs', (l) => (l.metadata = 'x'))).toBe('metadata: must be an object (got string)');
  });

  it('stackTrace lines are "    at …" frames with no header line', () => {
    expect(errorAfter('errors', (e) => e.stackTrace.unshift('TypeError: boom'))).toBe(
      "stackTrace[0]: must be a stack line starting with '    at '",
    );
    expect(errorAfter('errors', (e) => (e.stackTrace = '    at x (y:1:1)'))).toMatch(
      /^stackTrace: must be an array/,
    );
  });

  it('frames, user, requestContext and breadcrumbs are checked field by field', () => {
    expect(errorAfter('errors', (e) => (e.frames[1].inApp = 'yes'))).toBe(
      'frames[1].inApp: must be a boolean (got string)',
    );
    expect(errorAfter('errors', (e) => delete e.frames[2].function)).toBe('frames[2].function: is required');
    expect(errorAfter('errors', (e) => (e.frames[1].preContext = [1]))).toMatch(
      /^frames\[1\]\.preContext\[0\]:/,
    );
    expect(errorAfter('errors', (e) => (e.user.id = 42))).toBe('user.id: must be a string (got number)');
    expect(errorAfter('errors', (e) => (e.user = 'u1'))).toMatch(/^user: must be a JSON object/);
    expect(errorAfter('errors', (e) => delete e.breadcrumbs[0].message)).toBe(
      'breadcrumbs[0].message: is required',
    );
    expect(errorAfter('errors', (e) => (e.breadcrumbs[0].data = 'x'))).toMatch(/^breadcrumbs\[0\]\.data:/);
    expect(errorAfter('errors', (e) => (e.fingerprint = [1]))).toMatch(/^fingerprint\[0\]:/);
    expect(errorAfter('errors', (e) => (e.exceptionClass = ''))).toMatch(
      /^exceptionClass: must be a non-empty string/,
    );
  });

  it('http paths carry no query string; db errorMessage is at most 500 chars', () => {
    expect(errorAfter('httpRequests', (r) => (r.path = '/users?id=1'))).toBe(
      'requests[0].path: must be a path without a query string',
    );
    expect(errorAfter('db', (q) => (q.errorMessage = 'x'.repeat(500)))).toBeUndefined();
    expect(errorAfter('db', (q) => (q.errorMessage = 'x'.repeat(501)))).toBe(
      'queries[0].errorMessage: must be at most 500 characters',
    );
    expect(errorAfter('db', (q) => (q.queryHash = 'ABC'))).toMatch(/^queries\[0\]\.queryHash:/);
  });

  it('reports the first bad item of a batch by index', () => {
    const body = { spans: [span, span, { ...span, operation: '' }] };
    expect(check('spans', body)).toEqual({
      ok: false,
      error: 'spans[2].operation: must be a non-empty string (got string)',
    });
  });

  it('error messages never echo field values', () => {
    const secret = 'sk_live_do_not_print_me';
    const r = check('errors', {
      ...VALID.errors,
      metadata: { token: { secret } },
      user: { id: secret, email: 1 },
    });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.error).not.toContain(secret);
  });
});

describe('paths', () => {
  it('maps every endpoint path back, ignoring a query string', () => {
    for (const endpoint of ENDPOINTS) expect(endpointForPath(ALLSTAK_ENDPOINTS[endpoint])).toBe(endpoint);
    expect(endpointForPath('/ingest/v1/spans?x=1')).toBe('spans');
    expect(endpointForPath('/ingest/v1/spans/')).toBeUndefined();
    expect(endpointForPath('/ingest/v1/sessions')).toBeUndefined();
  });

  it('an unknown path is an error, not a throw', () => {
    expect(validateWireBody('/ingest/v1/metrics', {})).toEqual({
      ok: false,
      error: 'unknown AllStak ingest path: /ingest/v1/metrics',
    });
  });

  it('never throws, even on hostile objects', () => {
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('gotcha');
        },
      },
    );
    expect(validateWireBody(ALLSTAK_ENDPOINTS.logs, hostile)).toEqual({
      ok: false,
      error: 'body: could not be inspected',
    });
  });

  it('stays fast on adversarial strings (linear regexes)', () => {
    const long = `${'1'.repeat(200_000)}-`;
    const t0 = performance.now();
    errorAfter('httpRequests', (r) => (r.timestamp = long));
    errorAfter('httpRequests', (r) => (r.path = `${'/a'.repeat(200_000)}?`));
    errorAfter('spans', (s) => (s.traceId = 'a'.repeat(200_000)));
    errorAfter('errors', (e) => (e.stackTrace = [' '.repeat(200_000)]));
    expect(performance.now() - t0).toBeLessThan(200);
  });
});
