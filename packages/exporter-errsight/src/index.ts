export { errsightExporter } from './exporter.js';
export type { ErrSightExporterStats } from './exporter.js';
export type { ErrSightExporterOptions, ErrSightTransportTuning } from './options.js';
export type { BatchStats as ErrSightBatchStats } from './batches.js';
export type {
  ErrSightEvent,
  ErrSightLevel,
  ErrSightFrame,
  ErrSightCause,
  ErrSightUser,
  ErrSightBreadcrumb,
  ErrSightMetadata,
} from './wire.js';
