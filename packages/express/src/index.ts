export { sightlineRequestHandler } from './request-handler.js';
export { sightlineErrorHandler, setupExpressErrorHandler } from './error-handler.js';
export type { ExpressMiddleware, NextFunction } from './request-handler.js';
export type {
  ExpressErrorMiddleware,
  ExpressLikeApp,
  SightlineErrorHandlerOptions,
} from './error-handler.js';
