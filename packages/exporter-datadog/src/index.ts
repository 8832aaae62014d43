export { datadogExporter } from './exporter.js';
export type { DatadogExporterStats } from './exporter.js';
export { datadogPropagator } from './propagator.js';
export type { DatadogExporterOptions, DatadogItemKind, DatadogTransportTuning } from './options.js';
