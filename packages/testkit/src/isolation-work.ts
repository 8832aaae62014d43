import { addBreadcrumb, captureException, logger, setTag, setUser } from '@sightline/core';
import { sleep } from './sleep.js';

const jitter = () => sleep(Math.random() * 10);

interface Hold {
  reached(): void;
  release: Promise<void>;
  done(): void;
}
const holds = new Map<string, Hold>();

/** A request of {@link isolationWork} held halfway, as {@link holdIsolationWork} returns it. */
export interface HeldWork {
  /** Resolves once `isolationWork(n)` set user, tag and breadcrumb and stopped. */
  reached: Promise<void>;
  /** Lets it go on: log, error, and its answer (to a client that may be gone). */
  release(): void;
  /** Resolves once `isolationWork(n)` returned. */
  done: Promise<void>;
}

/**
 * Makes the next `isolationWork(n)` stop after setting user, tag and breadcrumb until
 * `release()`, e.g. to abort the request there and let the rest of the work run after the
 * client left. The app and the test share this module (the app's route calls `isolationWork`).
 * @example
 * const held = holdIsolationWork('a1');
 * await abortAfter(app.port, '/iso/a1', held.reached);
 * held.release();
 * await held.done;
 */
export function holdIsolationWork(n: string): HeldWork {
  let reached!: () => void;
  let release!: () => void;
  let done!: () => void;
  const held: HeldWork = {
    reached: new Promise<void>((r) => (reached = r)),
    release: () => release(),
    done: new Promise<void>((r) => (done = r)),
  };
  holds.set(n, { reached, release: new Promise<void>((r) => (release = r)), done });
  return held;
}

/**
 * The work of the isolation tests' `/iso/:n` route: user `n`, tag `req=n`, breadcrumb `crumb n`,
 * log `log n` and a captured `Error('iso n')`, each after a random 0-10 ms pause so that
 * concurrent requests interleave. Each item must then carry only request `n`'s scope.
 * @example
 * router.get('/iso/:n', async (ctx) => { await isolationWork(ctx.params.n); ctx.body = { n }; });
 */
export async function isolationWork(n: string): Promise<void> {
  const hold = holds.get(n);
  holds.delete(n);
  await jitter();
  setUser({ id: n });
  await jitter();
  setTag('req', n);
  await jitter();
  addBreadcrumb({ message: `crumb ${n}` });
  if (hold) {
    hold.reached();
    await hold.release;
  }
  await jitter();
  logger.info(`log ${n}`);
  await jitter();
  captureException(new Error(`iso ${n}`));
  await jitter();
  hold?.done();
}
