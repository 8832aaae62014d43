/**
 * `@sightline/core/wire`: the AllStak ingest wire types and their runtime validator, for tests,
 * the test kit and the local collector.
 */
export { ALLSTAK_ENDPOINTS } from './wire.js';
export type {
  AllStakEndpoint,
  WireBodies,
  WireBreadcrumb,
  WireBreadcrumbLevel,
  WireDbBody,
  WireDbQuery,
  WireErrorEvent,
  WireErrorLevel,
  WireFlatMetadata,
  WireFrame,
  WireHeartbeat,
  WireHttpRequestRecord,
  WireHttpRequestsBody,
  WireLogLevel,
  WireLogRecord,
  WireRelease,
  WireRequestContext,
  WireSessionEnd,
  WireSessionStart,
  WireSessionStatus,
  WireSpan,
  WireSpansBody,
  WireUser,
} from './wire.js';
export { endpointForPath, validateWireBody } from './validate.js';
export type { ValidationResult } from './validate.js';
