import { type Client, init, withScope } from '@sightline/core';
import { outboundHttpIntegration } from '@sightline/undici';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeRaces } from '../src/analysis/index.js';
import { decodeClockHeader } from '../src/clock-header.js';
import {
  type RacewayExporterStats,
  bindContext,
  racewayExporter,
  trackStateChange,
  withLock,
} from '../src/index.js';
import { type App, sleep, startApp } from './helpers/app.js';
import { type FakeRaceway, startFakeRaceway } from './helpers/raceway-server.js';

let raceway: FakeRaceway;
let client: Client | undefined;
const apps: App[] = [];

beforeEach(async () => {
  raceway = await startFakeRaceway();
});

afterEach(async () => {
  for (const a of apps.splice(0)) await a.close();
  await client?.close(500);
  client = undefined;
  await raceway.stop();
});

function start(opts: { propagators?: string[]; maxContexts?: number } = {}): Client {
  client = init({
    exporters: [
      racewayExporter({
        url: raceway.url,
        instanceId: 'i1',
        variables: {},
        maxContexts: opts.maxContexts,
        transport: { flushInterval: 20 },
      }),
    ],
    service: 'bank',
    defaultIntegrations: false,
    integrations: [outboundHttpIntegration()],
    propagators: opts.propagators ?? ['w3c', 'allstak', 'raceway-clock'],
  });
  return client;
}

async function app(routes: Parameters<typeof startApp>[0]): Promise<App> {
  const a = await startApp(routes);
  apps.push(a);
  return a;
}

async function events(): Promise<Record<string, any>[]> {
  await client!.flush(3000);
  return raceway.events();
}

const stateChanges = (evs: Record<string, any>[], variable?: string) =>
  evs.filter(
    (e) => e.kind.StateChange && (variable === undefined || e.kind.StateChange.variable === variable),
  );

describe('per-request contexts on core’s AsyncLocalStorage binding', () => {
  it('one thread per request, kept across awaits, timers and withScope; trace and request ids from core', async () => {
    start();
    const a = await app({
      '/work': async (req, res) => {
        const who = String(req.headers['x-who']);
        trackStateChange(`${who}.step`, 0, 1, 'Write');
        await sleep(5);
        await new Promise<void>((resolve) =>
          setTimeout(() => {
            trackStateChange(`${who}.step`, 1, 2, 'Write');
            resolve();
          }, 5),
        );
        withScope(() => trackStateChange(`${who}.step`, 2, 3, 'Write'));
        res.end('ok');
      },
    });
    const responses = await Promise.all(
      ['a', 'b'].map((who) => fetch(`${a.url}/work`, { headers: { 'x-who': who } })),
    );
    const evs = await events();
    for (const [i, who] of ['a', 'b'].entries()) {
      const mine = stateChanges(evs, `${who}.step`);
      expect(mine).toHaveLength(3);
      expect(new Set(mine.map((e) => e.metadata.thread_id)).size).toBe(1);
      const traceHex = responses[i]!.headers.get('x-allstak-trace-id')!;
      expect(mine[0]!.trace_id.replace(/-/g, '')).toBe(traceHex);
      expect(mine[0]!.metadata.tags.request_id).toBe(responses[i]!.headers.get('x-allstak-request-id'));
      // The context's first event tells which request it is.
      const first = evs.find((e) => e.metadata.thread_id === mine[0]!.metadata.thread_id)!;
      expect(first.kind).toEqual({ HttpRequest: { method: 'GET', url: '/work', headers: {}, body: null } });
      expect(mine[0]!.parent_id).toBe(first.id);
    }
    const threads = ['a', 'b'].map((w) => stateChanges(evs, `${w}.step`)[0]!.metadata.thread_id);
    expect(threads[0]).not.toBe(threads[1]);
  });

  it('jobs queued for a worker loop started outside any request keep the request only when bound', async () => {
    start();
    const queue: Array<() => void> = [];
    let drained: () => void = () => {};
    // The worker exists before any request, so its callbacks run in the process context.
    const worker = setInterval(() => {
      for (const job of queue.splice(0)) job();
      drained();
    }, 2);
    try {
      const a = await app({
        '/enqueue': async (_req, res) => {
          trackStateChange('origin', 0, 1, 'Write');
          const done = new Promise<void>((resolve) => (drained = resolve));
          queue.push(() => trackStateChange('job.unbound', 0, 1, 'Write'));
          queue.push(bindContext(() => trackStateChange('job.bound', 0, 1, 'Write')));
          await done;
          res.end('ok');
        },
      });
      await fetch(`${a.url}/enqueue`).then((r) => r.text());
    } finally {
      clearInterval(worker);
    }
    const evs = await events();
    const thread = stateChanges(evs, 'origin')[0]!.metadata.thread_id;
    expect(stateChanges(evs, 'job.bound')[0]!.metadata.thread_id).toBe(thread);
    expect(stateChanges(evs, 'job.unbound')[0]!.metadata.thread_id).not.toBe(thread);
    // A bound job is in the request's program order: the same chain of parent ids.
    expect(stateChanges(evs, 'job.bound')[0]!.parent_id).toBe(stateChanges(evs, 'origin')[0]!.id);
  });
});

describe('happens-before in one service', () => {
  function bank() {
    let balance = 100;
    return app({
      '/racy': async (_req, res) => {
        const b = balance;
        trackStateChange('balance', b, b, 'Read');
        await sleep(10);
        balance = b - 10;
        trackStateChange('balance', b, balance, 'Write');
        res.end(String(balance));
      },
      '/locked': async (_req, res) => {
        await withLock('balance', async () => {
          const b = balance;
          trackStateChange('balance', b, b, 'Read');
          await sleep(10);
          balance = b - 10;
          trackStateChange('balance', b, balance, 'Write');
        });
        res.end(String(balance));
      },
    });
  }

  it('concurrent read-modify-writes race; the same requests one after another do not', async () => {
    start();
    const a = await bank();
    for (let i = 0; i < 4; i++) await fetch(`${a.url}/racy`).then((r) => r.text());
    expect(analyzeRaces(await events()).raceCount).toBe(0);
    await Promise.all([1, 2, 3, 4].map(() => fetch(`${a.url}/racy`).then((r) => r.text())));
    const report = analyzeRaces(await events());
    expect(report.raceCount).toBeGreaterThan(0);
    expect(report.variables.map((v) => v.variable)).toEqual(['balance']);
  });

  it('with withLock, concurrent requests never race and the updates are not lost', async () => {
    start();
    const a = await bank();
    const bodies = await Promise.all(
      [1, 2, 3, 4, 5].map(() => fetch(`${a.url}/locked`).then((r) => r.text())),
    );
    expect(bodies.map(Number).sort((x, y) => x - y)).toEqual([50, 60, 70, 80, 90]);
    const evs = await events();
    expect(stateChanges(evs)).toHaveLength(10);
    expect(stateChanges(evs).every((e) => e.lock_set.includes('balance'))).toBe(true);
    expect(analyzeRaces(evs).raceCount).toBe(0);
  });

  it('work that outlives its request stays in its thread, and requests after it are ordered after it', async () => {
    start();
    let late: Promise<void> = Promise.resolve();
    const a = await app({
      '/fire': (_req, res) => {
        trackStateChange('cache', 0, 1, 'Write');
        late = new Promise<void>((resolve) =>
          setTimeout(() => {
            trackStateChange('cache', 1, 2, 'Write');
            resolve();
          }, 30),
        );
        res.end('ok');
      },
      '/read': (_req, res) => {
        trackStateChange('cache', 2, 2, 'Read');
        res.end('ok');
      },
    });
    await fetch(`${a.url}/fire`).then((r) => r.text());
    await late;
    await sleep(5);
    await fetch(`${a.url}/read`).then((r) => r.text());
    const evs = stateChanges(await events(), 'cache');
    expect(evs).toHaveLength(3);
    expect(evs[1]!.metadata.thread_id).toBe(evs[0]!.metadata.thread_id);
    expect(evs[1]!.parent_id).toBe(evs[0]!.id);
    expect(analyzeRaces(await events()).raceCount).toBe(0);
  });

  it('late work that overlaps a later request does race with it', async () => {
    start();
    let late: Promise<void> = Promise.resolve();
    const a = await app({
      '/fire': (_req, res) => {
        late = new Promise<void>((resolve) =>
          setTimeout(() => {
            trackStateChange('cache', 1, 2, 'Write');
            resolve();
          }, 30),
        );
        res.end('ok');
      },
      '/slow-read': async (_req, res) => {
        trackStateChange('cache', 1, 1, 'Read');
        await sleep(60);
        res.end('ok');
      },
    });
    await fetch(`${a.url}/fire`).then((r) => r.text());
    await Promise.all([fetch(`${a.url}/slow-read`).then((r) => r.text()), late]);
    const report = analyzeRaces(await events());
    expect(report.raceCount).toBe(1);
    expect(report.races[0]!.kind).toBe('read-write');
  });

  it('past maxContexts, events of extra live requests are dropped and counted', async () => {
    const c = start({ maxContexts: 2 });
    const a = await app({
      '/hold': async (_req, res) => {
        trackStateChange('x', 0, 1, 'Write');
        await sleep(30);
        res.end('ok');
      },
    });
    await Promise.all([1, 2, 3].map(() => fetch(`${a.url}/hold`).then((r) => r.text())));
    expect(stateChanges(await events())).toHaveLength(2);
    const stats = c.getStats().exporters.raceway as RacewayExporterStats;
    expect(stats.raceway.droppedContextLimit).toBeGreaterThanOrEqual(1);
    expect(stats.raceway.contextsLive).toBe(0);
    // The test's own fetch calls (outside any request) carried a clock without taking a slot.
    expect(stats.raceway.contextsOpened).toBe(2);
  });
});

describe('raceway-clock across services', () => {
  async function services() {
    let stock = 5;
    let seen: string | undefined;
    const inventory = await app({
      '/check': (req, res) => {
        seen = req.headers['raceway-clock'] as string | undefined;
        trackStateChange('stock:42', stock, stock, 'Read');
        res.end(String(stock));
      },
    });
    const api = await app({
      '/order': async (_req, res) => {
        stock -= 1;
        trackStateChange('stock:42', stock + 1, stock, 'Write');
        const r = await fetch(`${inventory.url}/check`);
        res.end(await r.text());
      },
    });
    return { api, header: () => seen };
  }

  it('the callee joins the caller’s clock: a write before the call happens-before the callee’s read', async () => {
    start();
    const { api, header } = await services();
    await fetch(`${api.url}/order`).then((r) => r.text());
    const evs = await events();
    const [write, read] = stateChanges(evs, 'stock:42');
    expect(analyzeRaces(evs).raceCount).toBe(0);

    const payload = decodeClockHeader(header());
    expect(payload).toBeDefined();
    expect(payload!.trace_id).toBe(write!.trace_id);
    expect(read!.trace_id).toBe(write!.trace_id);
    expect(payload!.parent_span_id).toBe(write!.metadata.distributed_span_id);
    expect(payload!.service).toBe('bank');
    expect(payload!.instance).toBe('i1');
    // The caller's component, advanced past the write for the send.
    const own = write!.causality_vector[0] as [string, number];
    expect(payload!.clock[0]).toEqual([own[0], own[1] + 1]);
    // The callee runs as the span the caller made for this call, with the caller upstream.
    expect(read!.metadata.distributed_span_id).toBe(payload!.span_id);
    expect(read!.metadata.upstream_span_id).toBe(write!.metadata.distributed_span_id);
    expect(read!.causality_vector).toContainEqual([own[0], own[1] + 1]);
  });

  it('without the propagator, the same calls look concurrent (which is why it exists)', async () => {
    start({ propagators: ['w3c', 'allstak'] });
    const { api, header } = await services();
    await fetch(`${api.url}/order`).then((r) => r.text());
    expect(header()).toBeUndefined();
    const report = analyzeRaces(await events());
    expect(report.raceCount).toBe(1);
    expect(report.races[0]!.kind).toBe('write-read');
  });
});
