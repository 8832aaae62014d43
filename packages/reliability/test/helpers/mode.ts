/**
 * Two modes. The default (CI) mode shortens every long scenario so the whole suite fits in about
 * two minutes on two cores; `SIGHTLINE_SOAK=1` runs the full-length versions the issue asks for.
 * Each scenario records the durations it used, and the report says which mode produced it.
 */
export const SOAK = process.env.SIGHTLINE_SOAK === '1';
export const MODE: 'ci' | 'soak' = SOAK ? 'soak' : 'ci';

export interface Durations {
  /** How long the backend stays down in the down/up scenario. */
  downMs: number;
  /** How late the slow backend answers. */
  slowMs: number;
  /**
   * The transport's per-request deadline. `undefined` keeps the SDK default (10 s), which is what
   * the soak mode proves; the CI mode shortens it so a slow answer still outlives it.
   */
  requestTimeoutMs: number | undefined;
  /** Sustained load of the child app (after its warm-up). */
  loadMs: number;
  /** Warm-up of the child app before memory samples count. */
  warmupMs: number;
}

export const DURATIONS: Durations = SOAK
  ? { downMs: 30_000, slowMs: 10_000, requestTimeoutMs: undefined, loadMs: 60_000, warmupMs: 5000 }
  : { downMs: 3000, slowMs: 2000, requestTimeoutMs: 1000, loadMs: 12_000, warmupMs: 3000 };

/** The SDK's default request deadline (packages/core/src/transport/http-executor.ts). */
export const SDK_DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
