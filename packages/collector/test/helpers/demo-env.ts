import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Collector, startCollector } from '../../src/index.js';

const ROOT = new URL('../../../../', import.meta.url);
export const REPO_ROOT = fileURLToPath(ROOT);
const scripts = (name: string) => new URL(`scripts/${name}`, ROOT).href;

// The demo's services are plain Node processes importing the built packages.
const BUILT = ['core', 'express', 'fastify', 'winston', 'pino', 'undici'].map((p) =>
  fileURLToPath(new URL(`packages/${p}/dist/index.js`, ROOT)),
);

/** Fails with a clear message when the packages the demo services import are not built. */
export function assertBuilt(): void {
  const missing = BUILT.filter((f) => !existsSync(f));
  if (missing.length) {
    throw new Error(
      `The demo services import built packages; missing: ${missing.join(', ')}. Run \`pnpm build\` (turbo does before \`test\`).`,
    );
  }
}

export interface Svc {
  name: string;
  url: string;
  child: import('node:child_process').ChildProcess;
}

export interface DemoEnv {
  collector: Collector;
  gateway: Svc;
  backend: Svc;
  /** Sends the demo's traffic burst; returns status and trace id per request. */
  drive(): Promise<{ method: string; path: string; status: number; traceId: string; trace?: boolean }[]>;
  /** Flushes both services' SDKs. */
  flush(): Promise<void>;
  /** Polls until the gateway -> backend trace is complete; returns the problems left. */
  waitForTrace(traceId: string): Promise<{ trace: any; problems: string[] }>;
  stop(): Promise<void>;
}

export const DEMO_KEY = 'sk_local_demo_test';

/** The collector (from source) plus the demo's gateway and backend processes pointed at it. */
export async function startDemoEnv(): Promise<DemoEnv> {
  assertBuilt();
  const services = await import(scripts('demo-services.mjs'));
  const traffic = await import(scripts('demo-traffic.mjs'));
  const collector = await startCollector({ apiKey: DEMO_KEY });
  const env = { ALLSTAK_API_KEY: DEMO_KEY, ALLSTAK_HOST: collector.url, ALLSTAK_DEBUG: 'false' };
  const started: Svc[] = [];
  try {
    const backend: Svc = await services.startService('backend', env);
    started.push(backend);
    const gateway: Svc = await services.startService('gateway', { ...env, BACKEND_URL: backend.url });
    started.push(gateway);
    return {
      collector,
      gateway,
      backend,
      drive: () => traffic.driveTraffic(gateway.url),
      async flush() {
        await Promise.all(started.map((s) => services.flushService(s)));
      },
      waitForTrace: (traceId) => traffic.waitForTrace(collector.url, traceId),
      async stop() {
        await Promise.all(started.map((s) => services.stopService(s)));
        await collector.close();
      },
    };
  } catch (err) {
    await Promise.all(started.map((s) => services.stopService(s)));
    await collector.close();
    throw err;
  }
}
