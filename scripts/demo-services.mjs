// Process management for the demo's services (packages/collector/demo/*.mjs): each runs in its own
// process with its own init(), and talks to the parent over IPC (ready, flush, stop). Used by
// scripts/demo.mjs and by the collector's browser and demo tests.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const DEMO_DIR = new URL('../packages/collector/demo/', import.meta.url);

/** Forks a demo service and resolves once it is listening. */
export function startService(name, env) {
  const child = fork(fileURLToPath(new URL(`${name}.mjs`, DEMO_DIR)), [], {
    env: { ...process.env, ...env },
    // Not the parent's flags: a test runner's (e.g. --conditions for TypeScript sources) would
    // make the service load sources Node cannot run instead of the built packages.
    execArgv: [],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start within 20 s`)), 20_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with code ${code} before it was ready`));
    });
    child.on('message', (m) => {
      if (m?.type === 'ready') {
        clearTimeout(timer);
        child.removeAllListeners('exit');
        resolve({ name, child, url: m.url });
      }
    });
  });
}

function ask(svc, type, reply, timeoutMs = 8000) {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    const onMessage = (m) => {
      if (m?.type === reply) {
        clearTimeout(timer);
        svc.child.off('message', onMessage);
        resolve(m);
      }
    };
    svc.child.on('message', onMessage);
    svc.child.send({ type });
  });
}

/** Asks a service to flush its SDK; resolves `{ ok }`, or undefined after a timeout. */
export function flushService(svc) {
  return ask(svc, 'flush', 'flushed');
}

/** Stops a service (it flushes and closes its SDK client), killing it if it hangs. */
export function stopService(svc) {
  if (svc.child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      svc.child.kill('SIGKILL');
      resolve();
    }, 5000);
    svc.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    svc.child.send({ type: 'stop' });
  });
}
