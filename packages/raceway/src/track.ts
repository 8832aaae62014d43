import { type CallSite, captureCallSite } from './location.js';
import { snapshotValue } from './encode.js';
import type { RaceContext } from './race-context.js';
import { type RacewayRuntime, activeRuntime } from './runtime.js';
import { ACCESS_TYPES, type AccessType } from './wire.js';

/**
 * The tracking API. Each call records one Raceway event in the current request's context
 * (core's AsyncLocalStorage binding), a no-op before `init` with a `racewayExporter()`. None of
 * these functions ever throws into the caller; `trackFunction`/`trackFunctionSync` return or
 * throw exactly what `fn` does.
 */

/** The access types by name: `Access.Read`, `Access.Write`, `Access.AtomicRMW`, ... */
export const Access = Object.freeze({
  Read: 'Read',
  Write: 'Write',
  AtomicRead: 'AtomicRead',
  AtomicWrite: 'AtomicWrite',
  AtomicRMW: 'AtomicRMW',
} as const satisfies Record<AccessType, AccessType>);

const MAX_NAME = 512;

function name(v: unknown): string | undefined {
  if (typeof v !== 'string' || v.length === 0) return undefined;
  return v.length > MAX_NAME ? v.slice(0, MAX_NAME) : v;
}

function report(rt: RacewayRuntime, what: string, err: unknown): void {
  rt.s.debug?.(`${what} failed: ${String((err as Error)?.message ?? err)}`);
}

/** Runs `fn` with the live runtime and context, catching everything. */
function withContext(what: string, fn: (rt: RacewayRuntime, ctx: RaceContext) => void): void {
  const rt = activeRuntime();
  if (rt === undefined) return;
  try {
    const ctx = rt.context();
    if (ctx) fn(rt, ctx);
  } catch (err) {
    report(rt, what, err);
  }
}

function site(rt: RacewayRuntime | undefined, fn: Function): CallSite | undefined {
  return rt?.s.captureLocation ? captureCallSite(fn) : undefined;
}

/**
 * Records a read or write of shared state. Two accesses to the same `variable`, at least one a
 * write, from different requests that are concurrent and hold no common lock, are a race.
 * Values are copied (bounded, scrubbed unless `sendDefaultPii`) at the call.
 * @example
 * const balance = accounts.get('alice');
 * trackStateChange('account:alice.balance', balance, balance, 'Read');
 */
export function trackStateChange(
  variable: string,
  oldValue: unknown,
  newValue: unknown,
  access: AccessType,
): void {
  const rt = activeRuntime();
  const v = name(variable);
  if (rt === undefined || v === undefined || !ACCESS_TYPES.includes(access)) return;
  const where = site(rt, trackStateChange);
  withContext('trackStateChange', (rt, ctx) => {
    const scrub = rt.s.scrub;
    rt.record(
      ctx,
      {
        StateChange: {
          variable: v,
          old_value: snapshotValue(oldValue, scrub),
          new_value: snapshotValue(newValue, scrub),
          location: '',
          access_type: access,
        },
      },
      where,
    );
  });
}

function functionCall(
  fnName: string,
  args: unknown,
  where: CallSite | undefined,
  durationNs: number | null,
): void {
  const n = name(fnName);
  if (n === undefined) return;
  withContext('trackFunctionCall', (rt, ctx) => {
    rt.record(
      ctx,
      {
        FunctionCall: {
          function_name: n,
          module: '',
          args: snapshotValue(args, rt.s.scrub),
          file: '',
          line: 0,
        },
      },
      where,
      durationNs,
    );
  });
}

/**
 * Records a call (no duration).
 * @example trackFunctionCall('chargeCard', { orderId });
 */
export function trackFunctionCall(fnName: string, args?: unknown): void {
  const rt = activeRuntime();
  if (rt === undefined) return;
  functionCall(fnName, args, site(rt, trackFunctionCall), null);
}

const elapsedNs = (start: bigint): number => Number(process.hrtime.bigint() - start);

/**
 * Runs `fn` (sync or async) and records the call with its duration once it settles, as
 * Raceway's SDK does. Resolves or rejects with what `fn` does.
 * @example const user = await trackFunction('loadUser', { id }, () => db.users.find(id));
 */
export async function trackFunction<T>(fnName: string, args: unknown, fn: () => T | Promise<T>): Promise<T> {
  const rt = activeRuntime();
  const where = site(rt, trackFunction);
  const start = process.hrtime.bigint();
  try {
    return await fn();
  } finally {
    if (rt !== undefined) functionCall(fnName, args, where, elapsedNs(start));
  }
}

/**
 * {@link trackFunction} for synchronous functions: returns or throws what `fn` does.
 * @example const total = trackFunctionSync('sumCart', { items: cart.length }, () => sum(cart));
 */
export function trackFunctionSync<T>(fnName: string, args: unknown, fn: () => T): T {
  const rt = activeRuntime();
  const where = site(rt, trackFunctionSync);
  const start = process.hrtime.bigint();
  try {
    return fn();
  } finally {
    if (rt !== undefined) functionCall(fnName, args, where, elapsedNs(start));
  }
}

/**
 * Records the response of the current request (Raceway does not do this by itself).
 * `duration_ms` is sent as a whole number (the server's field is an unsigned integer).
 * @example trackHttpResponse(res.statusCode, performance.now() - started);
 */
export function trackHttpResponse(status: number, durationMs: number): void {
  if (typeof status !== 'number' || typeof durationMs !== 'number') return;
  const ms = Number.isFinite(durationMs) && durationMs > 0 ? durationMs : 0;
  const code = Number.isInteger(status) && status >= 0 && status <= 999 ? status : 0;
  withContext('trackHttpResponse', (rt, ctx) => {
    rt.record(
      ctx,
      { HttpResponse: { status: code, headers: {}, body: null, duration_ms: Math.round(ms) } },
      undefined,
      Math.round(ms * 1e6),
    );
  });
}

/**
 * Records that the current request now holds `lockId` (after your lock granted it). Whatever the
 * previous holder did before releasing happens-before what follows.
 * @example await mutex.lock(); trackLockAcquire('account:alice');
 */
export function trackLockAcquire(lockId: string, lockType = 'Mutex'): void {
  trackLock(lockId, lockType, site(activeRuntime(), trackLockAcquire), true);
}

/**
 * Records that the current request released `lockId` (call it before your lock lets the next holder in).
 * @example trackLockRelease('account:alice'); mutex.unlock();
 */
export function trackLockRelease(lockId: string, lockType = 'Mutex'): void {
  trackLock(lockId, lockType, site(activeRuntime(), trackLockRelease), false);
}

/** Shared by the two functions above and `withLock`, which captures its own call site. */
export function trackLock(
  lockId: string,
  lockType: string,
  where: CallSite | undefined,
  acquire: boolean,
): void {
  const id = name(lockId);
  const type = name(lockType) ?? 'Mutex';
  if (id === undefined) return;
  withContext(acquire ? 'trackLockAcquire' : 'trackLockRelease', (rt, ctx) => {
    if (acquire) rt.lockAcquired(ctx, id, type, where);
    else rt.lockReleased(ctx, id, type, where);
  });
}

export { site as callSiteFor };
