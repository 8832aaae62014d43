import { type Client, init } from '@sightline/core';
import { type ErrSightExporterOptions, errsightExporter } from '../../src/index.js';
import { WRITE_KEY } from './errsight-server.js';

/** A Sightline client whose only exporter is ErrSight, pointed at `host`. */
export function initErrSight(
  host: string,
  options: ErrSightExporterOptions = {},
  core: Parameters<typeof init>[0] = {},
): Client {
  return init({
    service: 'billing',
    release: '2.4.0',
    environment: 'staging',
    defaultIntegrations: false,
    ...core,
    exporters: [
      errsightExporter({
        apiKey: WRITE_KEY,
        host,
        flushInterval: 20,
        transport: { retryBaseMs: 10 },
        ...options,
      }),
    ],
  });
}

export function errsightStats(client: Client) {
  return client.getStats().exporters.errsight as import('../../src/index.js').ErrSightExporterStats;
}
