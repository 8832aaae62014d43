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
