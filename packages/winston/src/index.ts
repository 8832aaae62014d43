export { SightlineTransport } from './transport.js';
export type { SightlineTransportOptions } from './transport.js';
export { sightlineFormat, sightlineMeta } from './correlation.js';
export type { SightlineFormat } from './correlation.js';
export type { LevelThreshold } from './levels.js';
export type { LoggerBridgeStats } from './deliver.js';
