// Shared by the profiling scripts.
import { EventEmitter } from 'node:events';

/** A transport that accepts and drops everything: capture cost without encoding or sending. */
export const discardTransport = () => ({
  send: () => true,
  flush: async () => true,
  close: async () => true,
  getStats: () => ({ categories: {}, requests: 0, failedRequests: 0 }),
});

/**
 * Switches the outbound instrumentation between loaded builds of @sightline/undici. Spec:
 * `off`, `on`, `on@BUILD`, or `on:NAME+NAME` (also sets globalThis.__slx = { NAME: true }, for
 * temporary knobs in a local build; the committed sources read none).
 */
export function instrumentationModes(builds) {
  let handle;
  let handleBuild;
  return (spec) => {
    const [head, knobs] = spec.split(':');
    const [name, build = ''] = head.split('@');
    globalThis.__slx = Object.fromEntries((knobs ? knobs.split('+') : []).map((k) => [k, true]));
    if (handle && (name === 'off' || handleBuild !== build)) {
      handle.disable();
      handle = undefined;
    }
    if (name === 'on' && !handle) {
      handle = builds[build].instrumentOutboundHttp();
      handleBuild = build;
    }
  };
}

/** The `init` options the profiling scripts share: sampled, discarding, never sending anywhere. */
export function benchInitOptions(extra = {}) {
  return {
    apiKey: 'bench-not-a-secret',
    host: 'http://127.0.0.1:9',
    release: 'bench@1.0.0',
    environment: 'bench',
    service: 'bench-undici',
    tracesSampleRate: 1,
    transport: discardTransport,
    ...extra,
  };
}

/** Just enough of a ServerResponse for core's runServerRequest; emit 'close' to finish it. */
export function fakeResponse() {
  return Object.assign(new EventEmitter(), {
    headersSent: false,
    writableFinished: true,
    statusCode: 200,
    setHeader() {},
    getHeader() {},
  });
}

/** The inbound request the outbound scripts run their fetches in (GET /fetch). */
export const fakeRequest = () => ({ headers: { host: 'bench' }, method: 'GET', url: '/fetch' });

/** Runs async `fn` inside a fake inbound request handled by core, finishing it afterwards. */
export function inFakeRequest(core, fn) {
  const res = fakeResponse();
  return core.runServerRequest(fakeRequest(), res, async () => {
    try {
      return await fn();
    } finally {
      res.emit('close');
    }
  });
}

/** The headers global fetch hands undici for a plain GET (lib/web/fetch/index.js, httpNetworkFetch). */
export const FETCH_HEADERS = [
  'accept',
  '*/*',
  'accept-language',
  '*',
  'sec-fetch-mode',
  'cors',
  'user-agent',
  'node',
  'accept-encoding',
  'gzip, deflate',
];
