import { type ChildProcess, spawn } from 'node:child_process';

/** A service running in a child process, as {@link spawnService} returns it. */
export interface ChildService {
  /** `http://127.0.0.1:<port>`, the port the child printed. */
  readonly url: string;
  /** Everything the child wrote to stdout and stderr so far. */
  readonly output: () => string;
  /** SIGTERM, then SIGKILL after 3 s; resolves once the child exited. */
  stop(): Promise<void>;
}

/**
 * Runs `node <file>` in its own process and resolves once it printed `PORT <n>` (rejects if it
 * exits first or takes longer than `timeoutMs`). For services that load a peer tracer (dd-trace,
 * the OpenTelemetry SDK): those patch modules globally and must never load into the test worker.
 * The child gets only `PATH`, `NODE_ENV=test` and `env`.
 * @example
 * const svc = await spawnService(FIXTURE, { RECEIVER_URL: receiver.url });
 * await fetch(`${svc.url}/work`);
 * await svc.stop();
 */
export function spawnService(
  file: string,
  env: Record<string, string>,
  timeoutMs = 15_000,
): Promise<ChildService> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, [file], {
      env: { PATH: process.env.PATH ?? '', NODE_ENV: 'test', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${file} did not start in ${timeoutMs} ms:\n${out}`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const m = /PORT (\d+)/.exec(out);
      if (m && timer) {
        clearTimeout(timer);
        resolve({
          url: `http://127.0.0.1:${m[1]}`,
          output: () => out,
          stop: () =>
            new Promise((done) => {
              if (child.exitCode !== null) return done();
              const force = setTimeout(() => child.kill('SIGKILL'), 3000);
              child.once('exit', () => {
                clearTimeout(force);
                done();
              });
              child.kill('SIGTERM');
            }),
        });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${file} exited with ${code}:\n${out}`));
    });
  });
}
