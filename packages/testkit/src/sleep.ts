/**
 * Resolves after `ms` milliseconds (the timer is not unref'd: a test awaits it).
 * @example
 * await sleep(5);
 */
export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
