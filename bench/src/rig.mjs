// The processes a run needs besides the servers under test: the ingest sink, the outbound stub
// and the load generator. With taskset and two or more CPUs, servers run on CPU 0 and all of
// these on CPU 1, so the server under test never shares its core with the load it is measured by.
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { SERVER_ENV, SRC } from './config.mjs';
import { canPin, startChild } from './proc.mjs';

export const SERVER_CPU = 0;
export const RIG_CPU = 1;

export async function startRig({ pin = true } = {}) {
  const cpus = availableParallelism();
  const pinned = pin && canPin(cpus);
  const opts = { pin: pinned, cpu: RIG_CPU };
  const [sink, stub, loadgen] = await Promise.all([
    startChild([join(SRC, 'sink.mjs')], { ...opts, label: 'sink' }),
    startChild([join(SRC, 'stub.mjs')], { ...opts, label: 'stub' }),
    startChild([join(SRC, 'loadgen.mjs')], { ...opts, label: 'loadgen' }),
  ]);
  const stubUrl = `http://127.0.0.1:${stub.info.port}/price`;

  return {
    pinned,
    cpus,
    sink,
    stubUrl,
    /** A fresh sink listener for one variant: its own port, its own counters. */
    async openSink(id) {
      const { port } = await sink.ask({ cmd: 'open', id });
      return `http://127.0.0.1:${port}`;
    },
    async sinkCounts() {
      return (await sink.ask({ cmd: 'counts' })).counts;
    },
    closeSink: (id) => sink.ask({ cmd: 'close', id }),
    /** Starts one variant server (pinned to the server CPU). */
    startServer({ framework, variant, sinkUrl, env = {}, nodeArgs = [] }) {
      // BENCH_SERVER_ROOT (diagnostics): run the server of another checkout, for A/B runs of two builds.
      const root = env.BENCH_SERVER_ROOT ? join(env.BENCH_SERVER_ROOT, 'bench', 'src') : SRC;
      return startChild([...nodeArgs, join(root, 'servers', 'server.cjs')], {
        pin: pinned,
        cpu: SERVER_CPU,
        label: `${framework}/${variant.id}`,
        readyTimeoutMs: 60_000,
        env: {
          ...SERVER_ENV,
          BENCH_FRAMEWORK: framework,
          BENCH_VARIANT: variant.kind,
          BENCH_SAMPLE_RATE: String(variant.sampleRate),
          BENCH_SINK_URL: sinkUrl,
          BENCH_STUB_URL: stubUrl,
          ...env,
        },
      });
    },
    /** Runs the load generator against `port`; resolves with its summary. */
    async load(port, { paths, connections, durationSec }) {
      const job = { url: `http://127.0.0.1:${port}`, paths, connections, durationSec };
      return (await loadgen.ask({ cmd: 'run', job }, (durationSec + 60) * 1000)).result;
    },
    async stop() {
      await Promise.all([sink.stop(), stub.stop(), loadgen.stop()]);
    },
  };
}

/** CPU seconds a server used, read over IPC before and after a measurement. */
export async function serverCpu(server) {
  const { cpu } = await server.ask({ cmd: 'cpu' });
  return cpu;
}
