export {
  init,
  getCurrentClient,
  captureException,
  captureMessage,
  addBreadcrumb,
  setUser,
  setTag,
  setTags,
  setExtra,
  setExtras,
  setContext,
  withScope,
  logger,
  captureCheckIn,
  withMonitor,
  captureDbQuery,
  startSession,
  endSession,
  flush,
  close,
} from './api.js';
export type { CheckIn, DbQuery } from './api.js';
export { Client } from './client.js';
export type { ClientStats } from './client.js';
export { Hub, getCurrentHub, getProcessHub, getClient, getActiveSpan, runInForkedHub } from './hub.js';
export { Scope } from './scope.js';
export type { PropagationContext } from './scope.js';
export { Span, nowMs } from './tracing/span.js';
export {
  startSpan,
  startInactiveSpan,
  withActiveSpan,
  continueTrace,
  getTraceHeaders,
  getOutboundContext,
} from './tracing/api.js';
export type { StartSpanOptions } from './tracing/api.js';
export {
  runServerRequest,
  setRequestRoute,
  getRequestSpan,
  getRequestHub,
  runInRequestContext,
  UNMATCHED_ROUTE,
} from './http-server.js';
export type { ServerRequestOptions } from './http-server.js';
export { injectTraceHeaders, shouldPropagateTo, isSdkUrl, registerSdkOrigin } from './outbound.js';
export { activeContext, withContext, isSuppressed, runSuppressed } from './context.js';
export type { SightlineContext } from './context.js';
export { resolveOptions, parseDsn, DEFAULT_HOST } from './options.js';
export type { SightlineOptions, ResolvedOptions, SamplingContext } from './options.js';
export { SightlineError, SightlineOptionError } from './errors.js';
export { CompositePropagator, registerPropagator } from './propagation/composite.js';
export { w3cPropagator, parseTraceparent, parseTracestate, formatTraceparent } from './propagation/w3c.js';
export { allstakPropagator, extractRequestId } from './propagation/allstak.js';
export { headerGetter, headerSetter } from './propagation/types.js';
export type { Propagator, ExtractedContext, InjectContext, PropagationSpan, Getter, Setter } from './propagation/types.js';
export { normalize, normalizeRecord } from './normalize.js';
export type { NormalizeOptions } from './normalize.js';
export { scrubString, scrubUrl, scrubHeaders, isSensitiveKey, FILTERED } from './scrub.js';
export { normalizeQuery, queryHash, queryType } from './db-query.js';
export type { QueryType } from './db-query.js';
export { parseStack, stackTraceLines } from './stack/parse.js';
export type { StackFrame, StackParseOptions } from './stack/parse.js';
export { SourceContextCache } from './stack/source-context.js';
export type { SourceContextOptions } from './stack/source-context.js';
export { createTransport, createHttpExecutor } from './transport/transport.js';
export type {
  Transport,
  TransportOptions,
  TransportRequest,
  TransportResponse,
  TransportExecutor,
  TransportStats,
  TransportEncoder,
  CategoryConfig,
  CategoryStats,
  HttpExecutorOptions,
} from './transport/types.js';
export { createAllStakExporter } from './allstak/exporter.js';
export type { Exporter, ExporterSetup, LogCorrelationContext } from './exporter.js';
export { getLogCorrelationFields } from './log-correlation.js';
export type { Integration } from './integration.js';
export { createDebugLogger, redactSecrets } from './debug.js';
export type { DebugLogger } from './debug.js';
export { newTraceId, newSpanId, newUuid } from './ids.js';
export { SDK_VERSION, SDK_NAME } from './version.js';
export type {
  SeverityLevel,
  LogLevel,
  User,
  Breadcrumb,
  ErrorEvent,
  ExceptionModel,
  StackFrameModel,
  LogRecord,
  SpanRecord,
  SpanKind,
  SpanStatus,
  HttpRequestRecord,
  DbQueryRecord,
  SessionStartRecord,
  SessionEndRecord,
  SessionStatus,
  CheckInRecord,
  ReleaseRecord,
  ItemKind,
  ItemKinds,
  EventHint,
  RequestContext,
} from './types.js';
