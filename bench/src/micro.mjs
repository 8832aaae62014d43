// Runs micro-worker.mjs in its own process (on the server CPU when pinning is on).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { SRC } from './config.mjs';
import { SERVER_CPU } from './rig.mjs';

export function runMicro(settings, { log, pinned }) {
  log('\n[micro] hot paths (tinybench)');
  const args = [join(SRC, 'micro-worker.mjs')];
  const cmd = pinned ? 'taskset' : process.execPath;
  const argv = pinned ? ['-c', String(SERVER_CPU), process.execPath, ...args] : args;
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        BENCH_MICRO_TIME: String(settings.timeMs),
        BENCH_MICRO_WARMUP: String(settings.warmupTimeMs),
      },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`micro benchmark failed (${code}):\n${err}`));
      const { results } = JSON.parse(out.trim().split('\n').pop());
      for (const r of results)
        log(
          `  ${r.name.padEnd(60)} median ${String(r.nsPerOp).padStart(7)} ns  mean ${String(r.meanNs).padStart(7)} ns`,
        );
      resolve({ settings, transport: 'discarding (capture path only)', results });
    });
  });
}
