import { type ChildProcess, spawn } from 'node:child_process';

export interface ChildService {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

/**
 * Runs a fixture service in its own process (peer tracers patch modules globally: they must
 * never load into the test worker) and resolves once it printed `PORT <n>`.
 */
export function startChild(file: string, env: Record<string, string>, timeoutMs = 15_000): Promise<ChildService> {
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
