export { SightlineTransport } from './transport.js';
export type { SightlineTransportOptions } from './transport.js';
export { sightlineFormat } from './format.js';
export type { SightlineFormat } from './format.js';
export type { LevelThreshold } from './levels.js';
export type { LoggerBridgeStats } from './deliver.js';
