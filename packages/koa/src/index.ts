export { sightlineKoa } from './middleware.js';
export type { KoaContextLike, KoaMiddleware, KoaNext, SightlineKoaOptions } from './middleware.js';
