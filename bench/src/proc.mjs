// Child processes of the harness: spawned with an IPC channel, optionally pinned to a CPU with
// taskset, and asked questions by sequence number.
import { spawn, spawnSync } from 'node:child_process';

let tasksetOk;
/** True when `taskset` exists and the machine has at least two CPUs to split. */
export function canPin(cpus) {
  if (tasksetOk === undefined) {
    const r = spawnSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    tasksetOk = r.status === 0;
  }
  return tasksetOk && cpus >= 2;
}

/**
 * Spawns `node <args>` with IPC. `cpu` pins it (and its threads) when pinning is on.
 * Resolves once the child sent its first message with `ready: true`.
 */
export function startChild(args, { cpu, env, pin, readyTimeoutMs = 30_000, label = args[0] } = {}) {
  const nodeArgs = [...args];
  const useTaskset = pin && cpu !== undefined;
  const cmd = useTaskset ? 'taskset' : process.execPath;
  const argv = useTaskset ? ['-c', String(cpu), process.execPath, ...nodeArgs] : nodeArgs;
  const child = spawn(cmd, argv, {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: { ...process.env, ...env },
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    if (stderr.length < 20_000) stderr += d;
  });
  child.stdout.on('data', () => {});
  let seq = 0;
  const waiting = new Map();
  const handle = {
    child,
    label,
    info: undefined,
    get stderr() {
      return stderr;
    },
    /** Sends `msg` and resolves with the reply carrying the same `seq`. */
    ask(msg, timeoutMs = 60_000) {
      const id = ++seq;
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => {
          waiting.delete(id);
          reject(new Error(`${label}: no answer to ${msg.cmd} within ${timeoutMs} ms`));
        }, timeoutMs);
        waiting.set(id, (reply) => {
          clearTimeout(t);
          if (reply.error) reject(new Error(`${label}: ${reply.error}`));
          else resolve(reply);
        });
        try {
          child.send({ ...msg, seq: id });
        } catch (err) {
          clearTimeout(t);
          waiting.delete(id);
          reject(err);
        }
      });
    },
    /** Asks politely, then kills. Resolves when the process is gone. */
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      try {
        child.send({ cmd: 'exit' });
      } catch {}
      const t = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await gone;
      clearTimeout(t);
    },
  };
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${label}: not ready within ${readyTimeoutMs} ms\n${stderr}`));
    }, readyTimeoutMs);
    child.on('message', (msg) => {
      if (msg?.ready) {
        clearTimeout(t);
        handle.info = msg;
        resolve(handle);
        return;
      }
      const w = waiting.get(msg?.seq);
      if (w) {
        waiting.delete(msg.seq);
        w(msg);
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(t);
      for (const w of waiting.values()) w({ error: `exited (${code ?? signal})\n${stderr.slice(-2000)}` });
      waiting.clear();
      reject(new Error(`${label}: exited before ready (${code ?? signal})\n${stderr.slice(-4000)}`));
    });
  });
}
