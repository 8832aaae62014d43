import type { ClientStats, TransportStats } from '@sightline/core';
import { TEST_API_KEY, startIngestServer } from '@sightline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './helpers/build.js';
import { type ChildRun, startChild } from './helpers/child.js';
import { drive, latencySummary, sleep } from './helpers/harness.js';
import { DURATIONS, MODE } from './helpers/mode.js';
import { record, round } from './helpers/results.js';

/**
 * Sustained concurrent load on an instrumented app (a child process running the built packages)
 * while the backend is down: memory must plateau at the bounds, the queues must never exceed
 * theirs, drops must be counted, and after close() the process must exit by itself.
 */

const QUEUE = 1000; // the SDK default
const CONCURRENCY = 16;
const SAMPLE_MS = 250;
const MiB = 1024 * 1024;

let child: ChildRun | undefined;

beforeAll(() => ensureBuilt(), 300_000);
afterAll(() => child?.kill());

interface Sample {
  at: number;
  rss: number;
  heapUsed: number;
  stats: ClientStats;
  listeners: Record<string, number>;
}

describe('load with the backend down', () => {
  it(`holds memory flat at the bounds for ${DURATIONS.loadMs / 1000} s of ${CONCURRENCY}-way load (${MODE}), then exits by itself after close()`, async () => {
    const server = await startIngestServer({ apiKey: TEST_API_KEY });
    await server.down(); // connections refused for the whole run
    child = startChild(
      'load-app.mjs',
      { ALLSTAK_API_KEY: TEST_API_KEY, ALLSTAK_HOST: server.url, SL_QUEUE: String(QUEUE) },
      ['--expose-gc'],
    );
    const { port } = await child.ask<{ port: number }>('ready', {}, 15_000);
    const url = `http://127.0.0.1:${port}`;
    const idle = await child.ask('stats', { gc: true });

    const samples: Sample[] = [];
    let sampling = true;
    const sampler = (async () => {
      const start = Date.now();
      while (sampling) {
        const s = await child!.ask('stats', { gc: true });
        samples.push({
          at: Date.now() - start,
          rss: s.mem.rss,
          heapUsed: s.mem.heapUsed,
          stats: s.stats,
          listeners: s.listeners,
        });
        await sleep(SAMPLE_MS);
      }
    })();
    const load = await drive(url, {
      durationMs: DURATIONS.warmupMs + DURATIONS.loadMs,
      concurrency: CONCURRENCY,
    });
    sampling = false;
    await sampler;

    const closeStart = Date.now();
    const closed = await child.ask('close', { timeoutMs: 500 }, 10_000);
    const exit = await child.exited;
    const exitAfterClose = exit.at - closeStart;
    await server.stop();

    // Memory after warm-up, in thirds.
    const steady = samples.filter((s) => s.at >= DURATIONS.warmupMs);
    const third = Math.max(1, Math.floor(steady.length / 3));
    const first = steady.slice(0, third);
    const last = steady.slice(-third);
    const max = (xs: Sample[], k: 'rss' | 'heapUsed') => Math.max(...xs.map((x) => x[k])) / MiB;
    const mem = {
      rssFirstThirdMax: round(max(first, 'rss')),
      rssLastThirdMax: round(max(last, 'rss')),
      heapFirstThirdMax: round(max(first, 'heapUsed')),
      heapLastThirdMax: round(max(last, 'heapUsed')),
      samples: steady.length,
    };
    const final = closed.stats as ClientStats;
    const t = final.exporters.allstak as TransportStats;
    const kinds = ['errors', 'logs', 'spans', 'http-requests'] as const;
    const capturedOf = {
      errors: 'error',
      logs: 'log',
      spans: 'span',
      'http-requests': 'http-request',
    } as const;
    const maxHeld = Math.max(
      ...samples.flatMap((s) =>
        Object.values((s.stats.exporters.allstak as TransportStats).categories).map(
          (c) => c.queued + c.inFlight,
        ),
      ),
    );
    const stderr = child.stderr();
    const lat = latencySummary(load);
    record({
      group: 'load',
      injected: `${CONCURRENCY} concurrent keep-alive clients for ${(DURATIONS.warmupMs + DURATIONS.loadMs) / 1000} s (${DURATIONS.warmupMs / 1000} s warm-up) against the Express fixture in a child process; ingest server refusing connections throughout; transportQueueSize ${QUEUE}`,
      counts: Object.fromEntries(
        kinds.map((k) => {
          const c = t.categories[k]!;
          return [
            k,
            {
              sent: final.captured[capturedOf[k]],
              delivered: c.delivered,
              dropped: c.dropped,
              droppedQueueFull: c.droppedQueueFull,
              droppedClosed: c.droppedClosed,
            },
          ];
        }),
      ),
      memory: mem,
      latency: { ...lat, bound: 'every request answered 200 (no latency bound under saturation)' },
      figures: {
        'app requests': load.requests,
        'requests/s': Math.round(load.requests / ((DURATIONS.warmupMs + DURATIONS.loadMs) / 1000)),
        'idle RSS before load (MiB)': round(idle.mem.rss / MiB),
        'most items held by one category at any sample': maxHeld,
        'exit after close() (ms)': exitAfterClose,
        'exit code': String(exit.code ?? exit.signal),
        'warnings on stderr': (stderr.match(/Warning/g) ?? []).length,
      },
      outcome:
        'memory plateaued once the queues were full; every overflowing item counted; the child exited on its own after close()',
    });

    // The app kept serving.
    expect(load.failed).toBe(0);
    expect(load.requests).toBeGreaterThan(1000);
    // Bounded queues, counted drops, consistent counters.
    expect(maxHeld).toBeLessThanOrEqual(QUEUE);
    for (const k of kinds) {
      const c = t.categories[k]!;
      expect(c.delivered, k).toBe(0);
      expect(c.enqueued + c.droppedQueueFull, k).toBe(final.captured[capturedOf[k]]);
      expect(c.droppedClosed, k).toBe(c.enqueued); // close() gave up on everything queued, counted
    }
    expect(t.categories.spans!.droppedQueueFull).toBeGreaterThan(0);
    // Memory plateau: once full, the bounded queues stop growing the heap or the RSS.
    expect(steady.length).toBeGreaterThanOrEqual(6);
    expect(mem.heapLastThirdMax).toBeLessThanOrEqual(mem.heapFirstThirdMax * 1.1 + 4);
    expect(mem.rssLastThirdMax).toBeLessThanOrEqual(mem.rssFirstThirdMax * 1.15 + 16);
    // No listener leak, no warnings, no unhandled rejection.
    for (const s of samples) expect(s.listeners).toEqual(samples[0]!.listeners);
    expect(closed.listeners.uncaughtException).toBe(0); // the process integration removed its own
    expect(stderr).not.toMatch(/MaxListenersExceededWarning|UnhandledPromiseRejection|unhandled/i);
    expect(stderr).toBe('');
    // Nothing kept the process alive after close().
    expect(closed.ok).toBe(false); // the backend was down: close gave up, within its timeout
    expect(exit.code).toBe(0);
    expect(child.stdout()).not.toContain('STILL ALIVE');
    expect(exitAfterClose).toBeLessThan(3000);
  });
});
