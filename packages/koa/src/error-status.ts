/**
 * The status Koa answers a thrown value with: `status || statusCode` when it is a number in
 * 100-599, otherwise 500. (Koa 2 also answers `ENOENT` with 404, Koa 3 with 500; both are
 * reported, since the adapter cannot tell which one will answer without sniffing versions.)
 */
export function koaErrorStatus(err: unknown): number {
  if (err === null || typeof err !== 'object') return 500;
  const e = err as { status?: unknown; statusCode?: unknown };
  const s = e.status || e.statusCode;
  return typeof s === 'number' && Number.isInteger(s) && s >= 100 && s < 600 ? s : 500;
}

/** Client errors (4xx) and non-error statuses are the client's business, not the app's. */
export function isServerError(err: unknown): boolean {
  return koaErrorStatus(err) >= 500;
}
