export { sightlineMixin } from './mixin.js';
export type { PinoMixin } from './mixin.js';
export { sightlineStream } from './stream.js';
export type { SightlineStream, SightlineStreamOptions } from './stream.js';
export type { LevelThreshold } from './levels.js';
export type { LoggerBridgeStats } from './deliver.js';
