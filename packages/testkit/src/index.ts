/**
 * `@sightline/testkit` (private): a real AllStak-compatible ingest server for tests, an output
 * collector, the test API key, and the helpers the packages' tests share (HTTP clients, ids and
 * hostile headers, SDK set-up hooks, a recording receiver for third-party backends, child
 * services). Nothing here imports an adapter package.
 */
export { startIngestServer } from './ingest-server.js';
export { collectOutput } from './collect-output.js';
export { TEST_API_KEY } from './api-key.js';
export type {
  Behaviour,
  BehaviourFn,
  IngestKind,
  IngestServer,
  IngestServerOptions,
  InvalidBody,
  ReceivedRequest,
} from './types.js';
export {
  type SightlineHarness,
  type UseSightlineHooks,
  startSightline,
  useSightline,
} from './adapter-setup.js';
export { type IngestContext, useIngest } from './use-ingest.js';
export {
  type Listening,
  type RawResponse,
  abandonRequest,
  abortAfter,
  headerOf,
  httpRequest,
  listen,
  rawHttp,
} from './http-client.js';
export {
  HEX16,
  HEX32,
  HOSTILE_HEADERS,
  HOSTILE_IDS,
  ISO,
  type TraceParent,
  UUID,
  spanId,
  traceId,
  traceparent,
} from './ids.js';
export { type Gate, makeGate } from './gate.js';
export { type HeldWork, holdIsolationWork, isolationWork } from './isolation-work.js';
export { expectProcessHubClean } from './process-hub.js';
export type { ConformanceTarget } from './conformance-target.js';
export { type TraceConformanceTarget, describeTraceConformance } from './trace-conformance.js';
export { describeIsolationConformance } from './isolation-conformance.js';
export { sleep } from './sleep.js';
export { jsonLines } from './json-lines.js';
export { correlatingExporter } from './correlating-exporter.js';
export { type Receiver, type ReceiverReply, type ReceiverRequest, startReceiver } from './receiver.js';
export { type ChildService, spawnService } from './spawn-service.js';
export { runExample } from './example-app.js';
export { type InstrumentedRoute, startInstrumentedApp } from './instrumented-app.js';
