import { type ChildProcess, fork, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

export interface ChildRun {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (or the signal name) and how long after `since` it came. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>;
  /** Sends `{ type, ...payload }` over IPC and resolves with the first reply of the same type. */
  ask<T = any>(type: string, payload?: Record<string, unknown>, timeoutMs?: number): Promise<T>;
  kill(): void;
}

/** Forks `fixtures/<script>` with IPC under plain node (no vitest, no source condition). */
export function startChild(script: string, env: Record<string, string>, execArgv: string[] = []): ChildRun {
  const child = fork(`${FIXTURES}${script}`, [], {
    env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '', ...env },
    execArgv,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let out = '';
  let err = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; at: number }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal, at: Date.now() })),
  );
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    ask(type, payload = {}, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          child.off('message', on);
          reject(
            new Error(`child did not answer "${type}" within ${timeoutMs} ms; stderr: ${err.slice(-500)}`),
          );
        }, timeoutMs);
        const on = (m: any) => {
          if (m?.type !== type) return;
          clearTimeout(t);
          child.off('message', on);
          resolve(m);
        };
        child.on('message', on);
        if (type !== 'ready') child.send({ type, ...payload });
      });
    },
    kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

export interface ScriptResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** From spawn to exit. */
  ms: number;
}

/** Runs `fixtures/<script> ...args` under plain node WITHOUT IPC, so it can exit on its own. */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string>,
  timeoutMs = 20_000,
): Promise<ScriptResult> {
  return new Promise((resolve) => {
    const start = Date.now();
    const child = spawn(process.execPath, [`${FIXTURES}${script}`, ...args], {
      env: { PATH: process.env.PATH ?? '', NODE_OPTIONS: '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(killer);
      // Let the pipes drain before resolving.
      setImmediate(() => resolve({ code, signal, stdout, stderr, ms: Date.now() - start }));
    });
  });
}
