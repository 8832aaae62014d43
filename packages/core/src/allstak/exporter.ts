import type { Exporter, ExporterSetup } from '../exporter.js';
import { createTransport } from '../transport/transport.js';
import type { Transport, TransportRequest } from '../transport/types.js';
import type { DbQueryRecord, HttpRequestRecord, ItemKind, ItemKinds, LogRecord, SpanRecord } from '../types.js';
import { SDK_VERSION } from '../version.js';
import {
  ALLSTAK_CATEGORY,
  BATCHED_CATEGORIES,
  encodeBody,
  encodeDb,
  encodeHttpRequest,
  encodeLog,
  encodeSpan,
} from './codec.js';

export interface AllStakExporterOptions {
  apiKey: string;
  /** Without a trailing slash. */
  host: string;
}

/** Opening of the batch body per batched category; the queued items are JSON texts. */
const BATCH_OPEN: Readonly<Record<string, string>> = {
  spans: '{"spans":[',
  'http-requests': '{"requests":[',
  db: '{"queries":[',
};

/**
 * Spans, request records, DB queries and logs are queued as their wire JSON, not as records.
 * A queued record is an object graph that survives a scavenge or two while its batch fills and
 * is copied each time; its JSON is one flat string, and the record itself dies young. The
 * serialization costs the same here as at batch time. Errors and sessions stay records: they
 * are rare, and errors are encoded with their source context.
 */
function itemJson(kind: ItemKind, item: unknown): string | undefined {
  switch (kind) {
    case 'span':
      return JSON.stringify(encodeSpan(item as SpanRecord));
    case 'http-request':
      return JSON.stringify(encodeHttpRequest(item as HttpRequestRecord));
    case 'db':
      return JSON.stringify(encodeDb(item as DbQueryRecord));
    case 'log':
      return JSON.stringify(encodeLog(item as LogRecord));
    default:
      return undefined;
  }
}

/**
 * The native exporter: AllStak ingest endpoints over the shared transport. Created by the
 * client when an AllStak key is configured.
 */
export function createAllStakExporter(config: AllStakExporterOptions): Exporter {
  let transport: Transport | undefined;
  const headersBase = {
    'content-type': 'application/json',
    'x-allstak-key': config.apiKey,
    'user-agent': `sightline-node/${SDK_VERSION}`,
  };
  let sdkVersion = SDK_VERSION;

  const encode = (category: string, items: readonly unknown[]): TransportRequest => {
    const open = BATCH_OPEN[category];
    let body: string;
    if (open !== undefined) body = `${open}${(items as readonly string[]).join(',')}]}`;
    else if (category === 'logs') body = items[0] as string;
    else body = JSON.stringify(encodeBody(category, items, sdkVersion));
    return { url: `${config.host}/ingest/v1/${category}`, method: 'POST', headers: { ...headersBase }, body };
  };

  const categories: Record<string, { batched: boolean }> = {};
  for (const c of Object.values(ALLSTAK_CATEGORY)) categories[c] = { batched: BATCHED_CATEGORIES.has(c) };

  return {
    name: 'allstak',
    accepts: () => true,
    setup(ctx: ExporterSetup) {
      sdkVersion = ctx.sdkVersion;
      const o = ctx.options;
      const factory = o.transport ?? createTransport;
      transport = factory({
        categories,
        encode,
        queueSize: o.transportQueueSize,
        maxBatchSize: o.maxBatchSize,
        flushInterval: o.flushInterval,
        debug: ctx.debug.enabled ? (m: string) => ctx.debug.log(`allstak: ${m}`) : undefined,
      });
    },
    export<K extends ItemKind>(kind: K, item: ItemKinds[K]): boolean {
      if (!transport) return false;
      let queued: unknown = item;
      try {
        queued = itemJson(kind, item) ?? item;
      } catch {
        // Normalized records always serialize; a beforeSend hook's odd return may not.
        return false;
      }
      return transport.send(ALLSTAK_CATEGORY[kind], queued);
    },
    flush: (timeoutMs) => (transport ? transport.flush(timeoutMs) : Promise.resolve(true)),
    close: (timeoutMs) => (transport ? transport.close(timeoutMs) : Promise.resolve(true)),
    getStats: () => transport?.getStats(),
  };
}
