export { skywalkingExporter } from './exporter.js';
export type { SkyWalkingExporterStats } from './exporter.js';
export { sw8Propagator } from './sw8.js';
export type { SkyWalkingExporterOptions, SkyWalkingTransportTuning } from './options.js';
export type { AssemblerStats as SkyWalkingSegmentStats } from './segments.js';
export type {
  SegmentObject,
  SpanObject,
  SegmentReference,
  SpanType,
  SpanLayer,
  RefType,
  KeyStringValuePair,
  Log as SpanLog,
  InstanceProperties,
  InstancePingPkg,
} from './wire.js';
