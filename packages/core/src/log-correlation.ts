import type { Client } from './client.js';
import type { Exporter } from './exporter.js';

// Exporters never change after a client starts, so the list is computed once per client.
const providers = new WeakMap<Client, readonly Exporter[]>();

function providersOf(client: Client): readonly Exporter[] {
  let list = providers.get(client);
  if (list === undefined) {
    list = client.exporters.filter((e) => typeof e.logFields === 'function');
    providers.set(client, list);
  }
  return list;
}

/**
 * The backend-specific correlation fields (e.g. Datadog's `dd.trace_id`, `dd.span_id`,
 * `dd.service`) that the active exporters want on log records, merged; undefined when no
 * exporter asks for any. Logger integrations call this for each record. Never throws.
 *
 * @example
 * const extra = getLogCorrelationFields(getCurrentClient(), span?.traceId, span?.spanId);
 * if (extra) Object.assign(record, extra);
 */
export function getLogCorrelationFields(
  client: Client | undefined,
  traceId: string | undefined,
  spanId: string | undefined,
): Record<string, string> | undefined {
  if (client === undefined || !client.enabled || client.isClosed()) return undefined;
  const list = providersOf(client);
  if (list.length === 0) return undefined;
  let out: Record<string, string> | undefined;
  for (const e of list) {
    try {
      const fields = e.logFields?.({ traceId, spanId });
      if (fields) out = out ? Object.assign(out, fields) : { ...fields };
    } catch {
      // A broken exporter must not break the host's logging.
    }
  }
  return out;
}
