export type { LoggerBridgeStats } from '@sightline/core';
export type { LevelThreshold } from './levels.js';
export type { PinoMixin } from './mixin.js';
export { sightlineMixin } from './mixin.js';
export type { SightlineStream, SightlineStreamOptions } from './stream.js';
export { sightlineStream } from './stream.js';
