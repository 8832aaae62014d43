// Shared by the profiling scripts.

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
