export { createAllStakExporter } from './allstak/exporter.js';
export { createObjectSlot, createRequestSlot, type ObjectSlot } from './object-slot.js';
export type { CheckIn, DbQuery } from './api.js';
export {
  addBreadcrumb,
  captureCheckIn,
  captureDbQuery,
  captureException,
  captureMessage,
  close,
  endSession,
  flush,
  getCurrentClient,
  init,
  logger,
  setContext,
  setExtra,
  setExtras,
  setTag,
  setTags,
  setUser,
  startSession,
  withMonitor,
  withScope,
} from './api.js';
export type { ClientStats } from './client.js';
export { Client } from './client.js';
export type { SightlineContext } from './context.js';
export { activeContext, isSuppressed, runSuppressed, withContext } from './context.js';
export type { QueryType } from './db-query.js';
export { normalizeQuery, queryHash, queryType } from './db-query.js';
export type { DebugLogger } from './debug.js';
export { createDebugLogger, redactSecrets } from './debug.js';
export { SightlineError, SightlineOptionError } from './errors.js';
export type { Exporter, ExporterSetup, LogCorrelationContext } from './exporter.js';
export type { ServerRequestOptions } from './http-server.js';
export {
  getRequestHub,
  getRequestSpan,
  runInRequestContext,
  runServerRequest,
  setRequestRoute,
  UNMATCHED_ROUTE,
} from './http-server.js';
export { getActiveSpan, getClient, getCurrentHub, getProcessHub, Hub, runInForkedHub } from './hub.js';
export { newSpanId, newTraceId, newUuid } from './ids.js';
export type { Integration } from './integration.js';
export { getLogCorrelationFields } from './log-correlation.js';
export type {
  BridgedRecord,
  CorrelationIds,
  LevelRoute,
  LoggerBridgeStats,
  RecordTarget,
} from './logging/bridge.js';
export { deliverLogRecord, exceedsLogLimits, LOG_MAX_BREADTH, messageText, zeroLoggerStats } from './logging/bridge.js';
export { errorAttributes, errorType, isErrorLike, stackFrames } from './logging/error-attributes.js';
export type { NormalizeOptions } from './normalize.js';
export { normalize, normalizeRecord } from './normalize.js';
export type { ResolvedOptions, SamplingContext, SightlineOptions } from './options.js';
export { DEFAULT_HOST, parseDsn, resolveOptions } from './options.js';
export { injectTraceHeaders, isSdkUrl, registerSdkOrigin, shouldPropagateTo } from './outbound.js';
export { allstakPropagator, extractRequestId } from './propagation/allstak.js';
export { CompositePropagator, registerPropagator } from './propagation/composite.js';
export type {
  ExtractedContext,
  Getter,
  InjectContext,
  PropagationSpan,
  Propagator,
  Setter,
} from './propagation/types.js';
export { headerGetter, headerSetter } from './propagation/types.js';
export { formatTraceparent, parseTraceparent, parseTracestate, w3cPropagator } from './propagation/w3c.js';
export type { PropagationContext } from './scope.js';
export { Scope } from './scope.js';
export { FILTERED, isSensitiveKey, scrubHeaders, scrubString, scrubUrl } from './scrub.js';
export type { StackFrame, StackParseOptions } from './stack/parse.js';
export { parseStack, stackTraceLines } from './stack/parse.js';
export type { SourceContextOptions } from './stack/source-context.js';
export { SourceContextCache } from './stack/source-context.js';
export type { StartSpanOptions } from './tracing/api.js';
export {
  continueTrace,
  getOutboundContext,
  getTraceHeaders,
  startInactiveSpan,
  startSpan,
  withActiveSpan,
} from './tracing/api.js';
export { nowMs, Span } from './tracing/span.js';
export { createHttpExecutor, createTransport } from './transport/transport.js';
export type {
  CategoryConfig,
  CategoryStats,
  HttpExecutorOptions,
  Transport,
  TransportCompression,
  TransportEncoder,
  TransportExecutor,
  TransportOptions,
  TransportRequest,
  TransportResponse,
  TransportStats,
} from './transport/types.js';
export type {
  Breadcrumb,
  CheckInRecord,
  DbQueryRecord,
  ErrorEvent,
  EventHint,
  ExceptionModel,
  HttpRequestRecord,
  ItemKind,
  ItemKinds,
  LogLevel,
  LogRecord,
  ReleaseRecord,
  RequestContext,
  SessionEndRecord,
  SessionStartRecord,
  SessionStatus,
  SeverityLevel,
  SpanKind,
  SpanRecord,
  SpanStatus,
  StackFrameModel,
  User,
} from './types.js';
export { SDK_NAME, SDK_VERSION } from './version.js';
