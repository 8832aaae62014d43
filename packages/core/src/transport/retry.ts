/** What the transport does with a response status (PROTOCOL.md "Transport"). */
export type StatusClass = 'delivered' | 'retry' | 'rate-limited' | 'permanent';

/**
 * 2xx delivered; 429 holds the category; 408 and 5xx are transient; everything else (other
 * 4xx, and 1xx/3xx, which the executor never follows) is permanent: re-sending the same body
 * cannot succeed.
 */
export function classifyStatus(status: number): StatusClass {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 429) return 'rate-limited';
  if (status === 408 || (status >= 500 && status < 600)) return 'retry';
  return 'permanent';
}

/** Longest backoff between two retries, whatever `retryBaseMs` and the attempt number. */
export const MAX_BACKOFF_MS = 30_000;

/**
 * Delay before retry number `attempt` (0-based): full jitter over `base * 2^attempt`, capped
 * at 30 s. Full jitter spreads the retries of many processes hit by the same outage, so they
 * do not come back in lock-step (AWS architecture blog, "Exponential Backoff And Jitter").
 */
export function backoffDelay(attempt: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_MS, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Errors where the connection never opened: nothing reached the backend. */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * True when the executor failed before anything reached the backend (connection refused, host
 * unknown or unreachable). Such a failure says nothing about the batch itself, so it must not use
 * up the batch's retry budget: during an outage that would drop, a few seconds in, items that fit
 * comfortably in the bounded queue. Resets, timeouts and garbage answers may be caused by the body
 * and keep counting.
 */
export function isUnreachable(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNREACHABLE_CODES.has(code);
}

/** Longest pause between two probes of an unreachable backend, so recovery is noticed soon. */
export const MAX_PROBE_INTERVAL_MS = 5000;

/** Shortest ceiling, so even `retryBaseMs: 0` cannot turn an outage into a connect loop. */
const MIN_PROBE_CEILING_MS = 50;

/**
 * Pause after the `streak`-th refused probe in a row: "equal jitter" over
 * `min(5 s, max(50 ms, baseMs * 2^streak))`, so it never drops to zero (no connect storm) and
 * probes of many processes spread out.
 */
export function probeDelay(streak: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(
    MAX_PROBE_INTERVAL_MS,
    Math.max(MIN_PROBE_CEILING_MS, baseMs * 2 ** Math.min(streak, 30)),
  );
  return Math.floor(ceiling / 2 + (random() * ceiling) / 2);
}

// Both patterns are anchored with no nested or overlapping quantifiers: linear on any input.
const DELTA_SECONDS = /^\d+(?:\.\d+)?$/;
const HAS_LETTER = /[a-z]/i;

/**
 * How long (ms) a 429 holds its category. `Retry-After` is delta-seconds or an HTTP-date;
 * a missing or unparsable value gives `defaultMs`; the result is capped at `capMs`.
 */
export function retryAfterMs(
  value: string | undefined,
  now: number,
  capMs: number,
  defaultMs: number,
): number {
  let ms = defaultMs;
  const v = value === undefined ? '' : value.trim();
  if (v.length > 0 && v.length <= 64) {
    if (DELTA_SECONDS.test(v)) {
      ms = Number(v) * 1000;
    } else if (HAS_LETTER.test(v)) {
      // An HTTP-date always names a day or month; requiring a letter keeps inputs such as
      // "-1" or "2" (which Date.parse reads as years) on the default path.
      const at = Date.parse(v);
      if (!Number.isNaN(at)) ms = Math.max(0, at - now);
    }
  }
  return Math.min(capMs, Math.max(0, ms));
}
