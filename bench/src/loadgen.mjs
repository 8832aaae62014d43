// The load generator: autocannon's programmatic API in its own process (pinned apart from the
// server under test), driven over IPC so it starts once per run, not once per measurement.
import autocannon from 'autocannon';

function run(job) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: job.url,
        connections: job.connections,
        pipelining: job.pipelining ?? 1,
        duration: job.durationSec,
        requests: job.paths.map((path) => ({ method: 'GET', path })),
        // A request that takes this long counts as a timeout, not a slow success.
        timeout: 10,
      },
      (err, result) => {
        if (err) reject(err);
        else resolve(result);
      },
    );
    // No progress bar or table: the harness prints its own summary.
    instance.on('error', () => {});
  });
}

function summarize(r) {
  const ok = r['2xx'] ?? 0;
  const seconds = r.duration || 1;
  return {
    ok,
    non2xx: r.non2xx ?? 0,
    errors: r.errors ?? 0,
    timeouts: r.timeouts ?? 0,
    seconds,
    rps: ok / seconds,
    p50: r.latency.p50,
    p90: r.latency.p90,
    p99: r.latency.p99,
    max: r.latency.max,
  };
}

process.on('message', async (msg) => {
  try {
    if (msg.cmd === 'run') process.send({ seq: msg.seq, result: summarize(await run(msg.job)) });
    else if (msg.cmd === 'exit') process.exit(0);
  } catch (err) {
    process.send({ seq: msg.seq, error: String(err?.message ?? err) });
  }
});
process.on('disconnect', () => process.exit(0));
process.send({ ready: true });
