import type { Exporter } from '@sightline/core';

/**
 * An exporter that exports nothing but has its own log correlation format, as
 * `@sightline/exporter-datadog` has: `dd.trace_id` (the low 64 bits of the trace id, decimal),
 * `dd.span_id` (decimal) when there are ids, and always `dd.service: 'svc'`. For proving that
 * logger integrations add an active exporter's `logFields`.
 * @example
 * init({ exporters: [correlatingExporter()], defaultIntegrations: false });
 */
export function correlatingExporter(): Exporter {
  return {
    name: 'backend',
    accepts: () => false,
    export: () => true,
    flush: async () => true,
    close: async () => true,
    getStats: () => undefined,
    logFields: ({ traceId, spanId }) => ({
      ...(traceId ? { 'dd.trace_id': BigInt(`0x${traceId.slice(16)}`).toString() } : {}),
      ...(spanId ? { 'dd.span_id': BigInt(`0x${spanId}`).toString() } : {}),
      'dd.service': 'svc',
    }),
  };
}
