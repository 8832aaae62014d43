export { sightlineFastify } from './plugin.js';
export type {
  SightlineFastifyOptions,
  FastifyInstanceLike,
  FastifyReplyLike,
  FastifyRequestLike,
} from './types.js';
