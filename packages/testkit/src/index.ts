/**
 * `@sightline/testkit` (private): a real AllStak-compatible ingest server for tests, an output
 * collector and the test API key.
 */
export { startIngestServer } from './ingest-server.js';
export { collectOutput } from './collect-output.js';
export type {
  Behaviour,
  BehaviourFn,
  IngestKind,
  IngestServer,
  IngestServerOptions,
  InvalidBody,
  ReceivedRequest,
} from './types.js';

/** The API key tests configure; assert it never appears in any output. */
export const TEST_API_KEY = 'sk_test_SIGHTLINE_SECRET_0123456789';
