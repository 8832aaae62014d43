/** See {@link TransportOptions.compression}. */
export type TransportCompression = 'auto' | 'gzip' | 'none';

/** One HTTP request, fully encoded (the transport may gzip the body before sending it). */
export interface TransportRequest {
  url: string;
  method: 'POST' | 'PUT';
  /** Header names as the encoder wrote them; never logged (the API key is among them). */
  headers: Record<string, string>;
  body: string | Uint8Array;
}

/** What the transport needs from a response: the status and the headers (lower-case names). */
export interface TransportResponse {
  status: number;
  headers: Record<string, string | undefined>;
  /** The body (UTF-8), only when the executor was asked to keep it (`maxResponseBytes`) and it fit. */
  body?: string;
}

/**
 * Performs one HTTP request. Resolves with any status; rejects on network error or timeout.
 *
 * @example
 * const executor: TransportExecutor = async () => ({ status: 200, headers: {} });
 */
export type TransportExecutor = (req: TransportRequest) => Promise<TransportResponse>;

/**
 * Encodes a list of items of one category into one request (the exporter/codec supplies this).
 * For single-object categories the list has exactly one item. Called in the transport worker,
 * never on the capture path; a throw drops the items (counted as `droppedPermanent`).
 *
 * @example
 * const encode: TransportEncoder = (category, items) => ({
 *   url: `http://127.0.0.1:4318/ingest/v1/${category}`, method: 'POST',
 *   headers: { 'content-type': 'application/json' }, body: JSON.stringify({ spans: items }),
 * });
 */
export type TransportEncoder = (category: string, items: readonly unknown[]) => TransportRequest;

/** How one category (= one endpoint) is sent. */
export interface CategoryConfig {
  /** `true`: up to `maxBatchSize` items per request; `false`: one item per request. */
  batched: boolean;
}

/** Options of {@link createTransport}. Validated once; bad values throw a `TypeError`. */
export interface TransportOptions {
  /**
   * Every category the transport accepts, e.g. `{ errors: { batched: false }, spans: { batched: true } }`.
   * `send()` to any other category returns `false`.
   */
  categories: Record<string, CategoryConfig>;
  /** Turns items into a request; see {@link TransportEncoder}. */
  encode: TransportEncoder;
  /**
   * Performs the HTTP requests. Always called detached from request contexts and with
   * instrumentation suppressed.
   * @default createHttpExecutor()
   */
  executor?: TransportExecutor;
  /**
   * Bound per category, in items. Items being sent or waiting for a retry count against it.
   * @default 1000
   */
  queueSize?: number;
  /**
   * Most items in one request of a batched category.
   * @default 100
   */
  maxBatchSize?: number;
  /**
   * Longest time (ms) a batched category waits for a full batch before sending a partial one.
   * @default 1000
   */
  flushInterval?: number;
  /**
   * Requests in flight per category (a request waiting for its retry keeps its slot, which is
   * what bounds memory and sockets under a dead backend). Across all categories at most
   * `max(8, maxInFlight)` requests are in flight, so a burst over many categories cannot open
   * dozens of sockets to the ingest host; categories take free slots in turn.
   * @default 5
   */
  maxInFlight?: number;
  /**
   * Retries of one request after a 408, a 5xx, a network error or a timeout. A refused
   * connection (or an unknown or unreachable host) uses none of them: nothing reached a backend,
   * so the category pauses and probes one request at a time while its items wait in the bounded
   * queue.
   * @default 3
   */
  maxRetries?: number;
  /**
   * Backoff base (ms): retry n waits a random time in `[0, min(30 s, retryBaseMs * 2^n))` (full jitter).
   * @default 500
   */
  retryBaseMs?: number;
  /**
   * Cap (ms) for a 429 `Retry-After`. (A 429 holds its category at least `retryBaseMs`.)
   * @default 300000
   */
  maxRetryAfterMs?: number;
  /**
   * Hold (ms) after a 429 without a usable `Retry-After`.
   * @default 60000
   */
  defaultRetryAfterMs?: number;
  /**
   * Bodies of at least this many bytes are gzipped when that makes them smaller (and
   * `compression` allows it).
   * @default 1024
   */
  gzipThreshold?: number;
  /**
   * `gzip`: compress bodies of `gzipThreshold` bytes or more; `none`: never; `auto`: gzip unless
   * the request goes to a loopback host (a local collector or agent), where compressing only
   * costs the host CPU.
   * @default 'auto'
   */
  compression?: TransportCompression;
  /** Debug logger. Never given headers or bodies. @default undefined (silent) */
  debug?: (msg: string) => void;
}

/** Counters of one category. Every `dropped*` is also included in `dropped`. */
export interface CategoryStats {
  /** Items accepted by `send()`. */
  enqueued: number;
  /** Items the backend accepted (2xx). */
  delivered: number;
  /** Items waiting in the queue (including items held back by a 429). */
  queued: number;
  /** Items in requests being sent or waiting for a retry. */
  inFlight: number;
  /** Retry attempts (requests re-sent after a transient failure). */
  retries: number;
  dropped: number;
  /** Rejected by `send()` because the category's bound was reached. */
  droppedQueueFull: number;
  /** 4xx other than 408/429, or the encoder threw. */
  droppedPermanent: number;
  /** Still failing after `maxRetries` retries. */
  droppedRetriesExhausted: number;
  /** Sent after `close()`, or still unsent when `close()` gave up waiting. */
  droppedClosed: number;
  /** Epoch ms until which a 429 holds this category, or 0. */
  rateLimitedUntil: number;
}

export interface TransportStats {
  categories: Record<string, CategoryStats>;
  /** HTTP requests attempted (retries included). */
  requests: number;
  /** Attempts that ended in a network error, a timeout or a non-2xx status. */
  failedRequests: number;
}

/** A bounded, non-blocking queue-and-send worker. Nothing on it ever throws. */
export interface Transport {
  /** O(1): pushes onto the category's bounded queue. Returns false (and counts) when dropped. Never throws, never does I/O or serialization synchronously. */
  send(category: string, item: unknown): boolean;
  /** Resolves true when everything queued before the call was delivered or given up on; false on timeout. Never rejects. */
  flush(timeoutMs?: number): Promise<boolean>;
  /** flush, then stop accepting items (later send() returns false, counted as droppedClosed). Stops timers. */
  close(timeoutMs?: number): Promise<boolean>;
  getStats(): TransportStats;
}

/** Options of {@link createHttpExecutor}. */
export interface HttpExecutorOptions {
  /**
   * Deadline (ms) for one request, from start to the end of the response body.
   * @default 10000
   */
  timeoutMs?: number;
  /**
   * TLS certificate verification for `https:` URLs.
   * @default true
   */
  rejectUnauthorized?: boolean;
  /**
   * Keep response bodies up to this many bytes in `TransportResponse.body` (for backends that
   * answer with information, e.g. the Datadog agent's `rate_by_service`); longer ones are
   * drained and dropped. 0 drains every body unread.
   * @default 0
   */
  maxResponseBytes?: number;
}
