export { otlpExporter } from './exporter.js';
export type { OtlpExporterOptions, OtlpItemKind, OtlpTransportTuning } from './options.js';
