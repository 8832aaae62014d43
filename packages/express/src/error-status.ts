/**
 * The status Express's final handler would answer an error with: `status`, then `statusCode`,
 * when it is a number in 400-599; otherwise undefined (the handler answers 500).
 */
export function errorStatus(err: unknown): number | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const e = err as { status?: unknown; statusCode?: unknown };
  if (isErrorStatus(e.status)) return e.status;
  if (isErrorStatus(e.statusCode)) return e.statusCode;
  return undefined;
}

function isErrorStatus(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 400 && v < 600;
}

/** Errors that become client errors (4xx) are the client's fault, not the app's: not captured. */
export function isServerError(err: unknown): boolean {
  const status = errorStatus(err);
  return status === undefined || status >= 500;
}
