import type { Exporter, ExporterSetup } from '../exporter.js';
import { createTransport } from '../transport/transport.js';
import type { Transport, TransportRequest } from '../transport/types.js';
import type { ItemKind, ItemKinds } from '../types.js';
import { SDK_VERSION } from '../version.js';
import { ALLSTAK_CATEGORY, BATCHED_CATEGORIES, encodeBody } from './codec.js';

export interface AllStakExporterOptions {
  apiKey: string;
  /** Without a trailing slash. */
  host: string;
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

  const encode = (category: string, items: readonly unknown[]): TransportRequest => ({
    url: `${config.host}/ingest/v1/${category}`,
    method: 'POST',
    headers: { ...headersBase },
    body: JSON.stringify(encodeBody(category, items, sdkVersion)),
  });

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
      return transport ? transport.send(ALLSTAK_CATEGORY[kind], item) : false;
    },
    flush: (timeoutMs) => (transport ? transport.flush(timeoutMs) : Promise.resolve(true)),
    close: (timeoutMs) => (transport ? transport.close(timeoutMs) : Promise.resolve(true)),
    getStats: () => transport?.getStats(),
  };
}
