export { racewayExporter } from './exporter.js';
export { racewayClockPropagator } from './propagator.js';
export {
  Access,
  trackStateChange,
  trackFunctionCall,
  trackFunction,
  trackFunctionSync,
  trackHttpResponse,
  trackLockAcquire,
  trackLockRelease,
} from './track.js';
export { withLock } from './lock.js';
export { bindContext } from './bind.js';
export { RACEWAY_CLOCK_HEADER, decodeClockHeader, encodeClockHeader } from './clock-header.js';
export type { ClockHeaderPayload } from './clock-header.js';
export type { RacewayExporterOptions, RacewayTransportTuning } from './options.js';
export type { RacewayExporterStats } from './exporter.js';
export type { RuntimeStats as RacewayTrackingStats } from './runtime.js';
export type {
  AccessType,
  RacewayEvent,
  RacewayEventBatch,
  RacewayEventKind,
  RacewayEventMetadata,
} from './wire.js';
