import type { Listening } from './http-client.js';

/** An adapter under a shared conformance suite: its majors and how to start its test app. */
export interface ConformanceTarget<F> {
  /** `[name, factory]` for each supported major of the framework, for `describe.each`. */
  majors: [string, F][];
  /** Starts the adapter's test app for one major on 127.0.0.1 (the routes each suite needs are in its doc). */
  start(factory: F): Promise<Listening>;
}
