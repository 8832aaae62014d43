import type { AllStakEndpoint, WireBodies } from '@sightline/core/wire';

export const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
export const TRACE2 = '0af7651916cd43dd8448eb211c80319c';
export const ROOT = '00f067aa0ba902b7';
export const CHILD = 'b7ad6b7169203331';
export const T0 = 1_714_566_896_000;
export const ISO = new Date(T0).toISOString();

/** A valid body for every endpoint, with the fields the UI shows filled in. */
export function validBodies(traceId = TRACE): { [K in AllStakEndpoint]: WireBodies[K] } {
  return {
    errors: {
      exceptionClass: 'TypeError',
      message: 'cannot read properties of undefined (reading id)',
      stackTrace: [
        '    at loadUser (/app/src/users.js:12:9)',
        '    at next (/app/node_modules/x/index.js:1:1)',
      ],
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
          filename: 'src/users.js',
          absPath: '/app/src/users.js',
          function: 'loadUser',
          lineno: 12,
          colno: 9,
          inApp: true,
          platform: 'node',
          preContext: ['function loadUser(req) {', '  const user = users.get(req.params.id);'],
          contextLine: '  return user.id;',
          postContext: ['}'],
        },
      ],
      level: 'error',
      environment: 'test',
      release: '1.0.0',
      platform: 'node',
      sdkName: 'sightline-node',
      sdkVersion: '0.1.0',
      traceId,
      spanId: CHILD,
      requestId: 'req-1',
      user: { id: 'u1' },
      requestContext: {
        method: 'GET',
        path: '/users/42',
        host: 'api.test',
        route: '/users/:id',
        statusCode: 500,
      },
      breadcrumbs: [
        { timestamp: ISO, type: 'http', category: 'fetch', message: 'GET /profile', level: 'info' },
      ],
      metadata: {
        region: 'eu',
        handled: false,
        mechanism: 'express',
        'cause.0.exceptionClass': 'Error',
        'cause.0.message': 'db timeout',
      },
    },
    logs: {
      level: 'warn',
      message: 'slow user lookup',
      timestamp: ISO,
      service: 'api',
      traceId,
      spanId: CHILD,
      requestId: 'req-1',
      metadata: { orderId: 42 },
    },
    spans: {
      spans: [
        {
          traceId,
          spanId: ROOT,
          parentSpanId: '',
          operation: 'GET /users/:id',
          status: 'error',
          durationMs: 30,
          startTimeMillis: T0,
          endTimeMillis: T0 + 30,
          service: 'gateway',
          tags: { 'span.kind': 'server', 'http.route': '/users/:id', 'http.status_code': '500' },
        },
        {
          traceId,
          spanId: CHILD,
          parentSpanId: ROOT,
          operation: 'db.query',
          status: 'ok',
          durationMs: 10,
          startTimeMillis: T0 + 5,
          endTimeMillis: T0 + 15,
          service: 'api',
          tags: { 'span.kind': 'client' },
          data: '{"rows":1}',
        },
      ],
    },
    httpRequests: {
      requests: [
        {
          direction: 'inbound',
          method: 'GET',
          host: 'api.test',
          path: '/users/:id',
          statusCode: 500,
          durationMs: 30,
          timestamp: ISO,
          traceId,
          spanId: ROOT,
          requestId: 'req-1',
          service: 'gateway',
        },
      ],
    },
    db: {
      queries: [
        {
          normalizedQuery: 'SELECT * FROM users WHERE id = ?',
          queryHash: '9f86d081884c7d65',
          queryType: 'SELECT',
          durationMs: 3,
          timestampMillis: T0 + 6,
          status: 'success',
          traceId,
          spanId: CHILD,
        },
      ],
    },
    sessionStart: {
      sessionId: 'sess-1',
      release: '1.0.0',
      environment: 'test',
      sdkName: 'sightline-node',
      sdkVersion: '0.1.0',
      platform: 'node',
    },
    sessionEnd: { sessionId: 'sess-1', durationMs: 1000, status: 'errored' },
    heartbeat: { slug: 'nightly-job', status: 'success', durationMs: 120 },
    releases: { version: '1.0.0', environment: 'test' },
  };
}
