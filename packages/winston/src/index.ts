export type { LoggerBridgeStats } from '@sightline/core';
export type { SightlineFormat } from './correlation.js';
export { sightlineFormat, sightlineMeta } from './correlation.js';
export type { LevelThreshold } from './levels.js';
export type { SightlineTransportOptions } from './transport.js';
export { SightlineTransport } from './transport.js';
