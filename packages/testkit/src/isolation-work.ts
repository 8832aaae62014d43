import { addBreadcrumb, captureException, logger, setTag, setUser } from '@sightline/core';
import { sleep } from './sleep.js';

const jitter = () => sleep(Math.random() * 10);

/**
 * The work of the isolation tests' `/iso/:n` route: user `n`, tag `req=n`, breadcrumb `crumb n`,
 * log `log n` and a captured `Error('iso n')`, each after a random 0-10 ms pause so that
 * concurrent requests interleave. Each item must then carry only request `n`'s scope.
 * @example
 * router.get('/iso/:n', async (ctx) => { await isolationWork(ctx.params.n); ctx.body = { n }; });
 */
export async function isolationWork(n: string): Promise<void> {
  await jitter();
  setUser({ id: n });
  await jitter();
  setTag('req', n);
  await jitter();
  addBreadcrumb({ message: `crumb ${n}` });
  await jitter();
  logger.info(`log ${n}`);
  await jitter();
  captureException(new Error(`iso ${n}`));
  await jitter();
}
