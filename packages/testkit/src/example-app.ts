import { expect } from 'vitest';

/** What every app under `examples/*` exports. */
interface ExampleModule {
  createApp(...args: unknown[]): unknown;
  start(options: { port: number }): Promise<{ url: string; close(): Promise<void> }>;
}

/**
 * Runs an example app the way its README does: `env` (its `ALLSTAK_*` configuration) set on
 * `process.env`, the module loaded by a variable specifier (plain JavaScript, as `node` runs it),
 * `start({ port: 0 })`. Expects the module to export `createApp` too. `drive(url)` exercises
 * the app; afterwards the app is closed and `process.env` restored, even if `drive` threw.
 * @example
 * await runExample(EXAMPLE, { ALLSTAK_API_KEY: TEST_API_KEY, ALLSTAK_HOST: server.url }, async (url) => {
 *   expect((await fetch(`${url}/api/users/1`)).status).toBe(200);
 * });
 */
export async function runExample(
  moduleUrl: string,
  env: Record<string, string>,
  drive: (url: string) => Promise<void>,
): Promise<void> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const example = (await import(moduleUrl)) as ExampleModule;
    expect(typeof example.createApp).toBe('function');
    const app = await example.start({ port: 0 });
    try {
      await drive(app.url);
    } finally {
      await app.close();
    }
  } finally {
    process.env = saved;
  }
}
