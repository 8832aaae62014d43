/** Path suffix after `/ingest/v1/`. */
export type IngestKind =
  | 'errors'
  | 'logs'
  | 'spans'
  | 'http-requests'
  | 'db'
  | 'sessions/start'
  | 'sessions/end'
  | 'heartbeat'
  | 'releases';

export interface ReceivedRequest {
  method: string;
  /** Pathname, without the query string. */
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** Whether the body came with `Content-Encoding: gzip`. */
  gzip: boolean;
  /** Body size on the wire (compressed size when gzipped). */
  rawBytes: number;
  /** Parsed JSON; the raw text when it was not JSON; undefined when unreadable. */
  body: unknown;
  /** `Date.now()` when the body had been read. */
  at: number;
  /** The ingest kind, when the path is a known ingest path. */
  kind?: IngestKind;
  /** The status answered; undefined for `reset`, `garbage`, `hang` (or not answered yet). */
  status?: number;
}

/** How the server answers a request. */
export type Behaviour =
  /** 200 `{}` after validating; an invalid body gets 400 with the error and lands in `invalid`. */
  | 'ok'
  /** Exactly this answer, e.g. `{ status: 429, headers: { 'retry-after': '1' } }`. */
  | { status: number; headers?: Record<string, string>; body?: string }
  /** Waits, then answers with `then` (default `'ok'`). */
  | { delayMs: number; then?: Behaviour }
  /** Destroys the socket without answering. */
  | 'reset'
  /** Writes non-HTTP bytes, then closes. */
  | 'garbage'
  /** Never answers (until `down()`/`stop()`). */
  | 'hang';

export type BehaviourFn = (req: ReceivedRequest) => Behaviour;

export interface InvalidBody {
  path: string;
  error: string;
  body: unknown;
}

export interface IngestServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly port: number;
  /** Every request that was accepted (2xx) with a valid body. */
  readonly requests: ReceivedRequest[];
  /** Every request that arrived, whatever was answered. */
  readonly attempts: ReceivedRequest[];
  /** Bodies that failed `validateWireBody`. */
  readonly invalid: InvalidBody[];
  /** Flattened accepted items of a kind: spans from `{spans}`, requests from `{requests}`, queries from `{queries}`. */
  items<T = any>(kind: IngestKind): T[];
  /**
   * Resolves with the items of `kind` once there are at least `n` of them or the predicate over
   * the item list is true; rejects after `timeoutMs` with what did arrive.
   * @default timeoutMs 5000
   */
  waitFor<T = any>(
    kind: IngestKind,
    countOrPredicate: number | ((items: T[]) => boolean),
    timeoutMs?: number,
  ): Promise<T[]>;
  /** Sets how the server answers, for all kinds or one kind only (kind-specific wins). */
  respond(b: Behaviour | BehaviourFn, kind?: IngestKind): void;
  /** Answers the next `n` requests (of `kind`, if given) with `b`, then falls back. */
  respondNext(n: number, b: Behaviour, kind?: IngestKind): void;
  /** Forgets received requests, attempts and invalid bodies (behaviours stay). */
  clear(): void;
  /** Stops listening and destroys open sockets, keeping the port for `up()`. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  /** Closes for good: releases hanging requests, destroys sockets. Idempotent. */
  stop(): Promise<void>;
}

export interface IngestServerOptions {
  /** When set, requests without a matching `X-AllStak-Key` get 401. */
  apiKey?: string;
  /** @default 0 (a free port) */
  port?: number;
  /** Larger bodies (decompressed or not) get 413. @default 10 MiB */
  maxBodyBytes?: number;
}
