import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Client, init, runServerRequest } from '@sightline/core';
import { racewayExporter, trackStateChange, withLock } from '@sightline/raceway';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { parseCli } from '../src/cli-args.js';
import { type Collector, startCollector } from '../src/index.js';
import { runRaces } from '../src/races-command.js';
import { KEY, getJson, send } from './helpers/http.js';

/**
 * Raceway events in the collector: `POST /events` as a Raceway server takes it, the race report
 * at `/api/races`, and `sightline-collector races` — fed by the real SDK (@sightline/raceway on
 * core's request context) behind a real HTTP server.
 */

const open: Array<{ close(): Promise<void> }> = [];
let client: Client | undefined;
const dir = mkdtempSync(join(tmpdir(), 'sightline-races-'));

afterEach(async () => {
  await client?.close(500);
  client = undefined;
  for (const o of open.splice(0).reverse()) await o.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function collector(options: Parameters<typeof startCollector>[0] = {}): Promise<Collector> {
  const c = await startCollector(options);
  open.push(c);
  return c;
}

/** A bank whose `/racy` transfer reads, awaits, then writes back; `/locked` does it under withLock. */
async function bank(): Promise<string> {
  let balance = 100;
  const transfer = async () => {
    const b = balance;
    trackStateChange('account:alice.balance', b, b, 'Read');
    await new Promise((r) => setTimeout(r, 15));
    balance = b - 10;
    trackStateChange('account:alice.balance', b, balance, 'Write');
  };
  const server: Server = createServer((req, res) =>
    runServerRequest(req, res, async () => {
      if (req.url === '/racy') await transfer();
      else await withLock('account:alice', transfer);
      res.end(String(balance));
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  open.push({ close: () => new Promise((r) => server.close(() => r())) });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function sdk(url: string, apiKey?: string): Client {
  client = init({
    service: 'bank',
    exporters: [
      racewayExporter({ url, apiKey, instanceId: 'bank-1', variables: {}, transport: { flushInterval: 20 } }),
    ],
    defaultIntegrations: false,
  });
  return client;
}

const hammer = (url: string, path: string, n: number) =>
  Promise.all(Array.from({ length: n }, () => fetch(`${url}${path}`).then((r) => r.text())));

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  send(url, '/events', {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...headers },
  });

function event(n: number, patch: Record<string, unknown> = {}) {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    trace_id: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736',
    parent_id: null,
    timestamp: '2026-01-01T00:00:00.000001Z',
    kind: {
      StateChange: { variable: 'x', old_value: 0, new_value: n, location: 'a.js:1', access_type: 'Write' },
    },
    metadata: {
      thread_id: `t${n}`,
      process_id: 1,
      service_name: 's',
      environment: 'e',
      tags: {},
      duration_ns: null,
    },
    causality_vector: [[`s/${n}`, 1]],
    lock_set: [],
    ...patch,
  };
}

describe('POST /events and /api/races with the real SDK', () => {
  it('reports the racy transfer on its variable with both accesses; the locked one adds nothing', async () => {
    const c = await collector({ apiKey: KEY });
    const app = await bank();
    sdk(c.url, KEY);
    await hammer(app, '/locked', 6);
    await client!.flush(3000);
    const clean = await getJson(c.url, '/api/races');
    expect(clean.stateChanges).toBe(12);
    expect(clean.raceCount).toBe(0);

    await hammer(app, '/racy', 6);
    await client!.flush(3000);
    const report = await getJson(c.url, '/api/races');
    expect(report.raceCount).toBeGreaterThan(0);
    expect(report.variables.map((v: { variable: string }) => v.variable)).toEqual(['account:alice.balance']);
    const race = report.races[0];
    for (const side of [race.first, race.second]) {
      expect(side.location).toMatch(/^test\/raceway\.test\.ts:\d+$/);
      expect(side.service).toBe('bank');
      expect(side.instance).toBe('bank-1');
      expect(side.request).toBe('GET /racy');
      expect(side.traceIdHex).toMatch(/^[0-9a-f]{32}$/);
      expect(side.locks).toEqual([]);
    }
    expect(race.first.threadId).not.toBe(race.second.threadId);
    // The stored events, for `sightline-races --url`.
    const { events } = await getJson(c.url, '/api/raceway/events');
    expect(events.length).toBe(report.events);
    expect(events[0].kind).toHaveProperty('HttpRequest');
  });
});

describe('POST /events answers like a Raceway server', () => {
  it('200 with Raceway’s body; a repeated event is stored once', async () => {
    const c = await collector();
    const r = await post(c.url, { events: [event(1), event(2)] });
    expect(r.status).toBe(200);
    expect(r.json()).toEqual({ success: true, data: 'Ingested 2 events', error: null });
    expect((await post(c.url, { events: [event(2), event(3)] })).status).toBe(200);
    expect(c.store.racewayEvents().map((e) => (e as { id: string }).id.slice(-1))).toEqual(['1', '2', '3']);
    expect(c.store.races().raceCount).toBe(3);
  });

  it('refuses what Raceway refuses, naming the field, and stores nothing from that batch', async () => {
    const c = await collector();
    const bare = await post(c.url, [event(1)]);
    expect(bare.status).toBe(400);
    expect(bare.json()).toEqual({ success: false, data: null, error: 'body: expected { "events": [...] }' });
    const bad = await post(c.url, { events: [event(1), event(2, { timestamp: 'yesterday' })] });
    expect(bad.status).toBe(400);
    expect(bad.json().error).toBe('events[1].timestamp: must be RFC 3339');
    const float = await post(c.url, {
      events: [
        event(3, { kind: { HttpResponse: { status: 200, headers: {}, body: null, duration_ms: 1.5 } } }),
      ],
    });
    expect(float.json().error).toBe('events[0].kind.HttpResponse.duration_ms: has the wrong type');
    expect((await post(c.url, '{nope')).status).toBe(400);
    expect(c.store.racewayEvents()).toEqual([]);
    const get = await send(c.url, '/events');
    expect(get.status).toBe(405);
  });

  it('with a key configured: Bearer or X-Raceway-Key, else 401 as Raceway answers it', async () => {
    const c = await collector({ apiKey: KEY });
    const denied = await post(c.url, { events: [event(1)] });
    expect(denied.status).toBe(401);
    expect(denied.json()).toEqual({ success: false, data: null, error: 'Unauthorized' });
    expect((await post(c.url, { events: [event(1)] }, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await post(c.url, { events: [event(1)] }, { authorization: `Bearer ${KEY}` })).status).toBe(200);
    expect((await post(c.url, { events: [event(2)] }, { 'x-raceway-key': KEY })).status).toBe(200);
    expect(c.store.racewayEvents()).toHaveLength(2);
  });

  it('keeps at most maxRowsPerKind events, the newest', async () => {
    const c = await collector({ maxRowsPerKind: 3 });
    await post(c.url, { events: [1, 2, 3, 4, 5].map((n) => event(n)) });
    expect(c.store.racewayEvents().map((e) => (e as { id: string }).id.slice(-1))).toEqual(['3', '4', '5']);
  });
});

describe('sightline-collector races', () => {
  const io = () => {
    const o = { out: '', err: '' };
    return { o, io: { out: (t: string) => void (o.out += t), err: (t: string) => void (o.err += t) } };
  };

  it('parses the command', () => {
    expect(parseCli(['races'])).toEqual({
      kind: 'races',
      races: { url: undefined, db: '.sightline-data/collector.sqlite', json: false },
    });
    expect(parseCli(['races', '--url', 'http://127.0.0.1:7331', '--json'])).toMatchObject({
      races: { url: 'http://127.0.0.1:7331', json: true },
    });
    expect(parseCli(['races', '--url', 'x', '--db', 'y'])).toMatchObject({ kind: 'error' });
    expect(parseCli(['races', '--bogus'])).toMatchObject({ kind: 'error' });
  });

  it('exit code 1 with races, 0 without — from a running collector (--url) or its database file (--db)', async () => {
    const db = join(dir, 'races.sqlite');
    const c = await collector({ db, persistDelayMs: 0 });
    await post(c.url, { events: [event(1)] });
    const one = io();
    expect(await runRaces({ url: c.url, db, json: false }, one.io)).toBe(0);
    expect(one.o.out).toContain('No races found (1 event, 1 state change, 1 request context).');

    await post(c.url, { events: [event(2)] });
    const two = io();
    expect(await runRaces({ url: c.url, db, json: true }, two.io)).toBe(1);
    expect(JSON.parse(two.o.out).raceCount).toBe(1);

    await c.close();
    const file = io();
    expect(await runRaces({ url: undefined, db, json: false }, file.io)).toBe(1);
    expect(file.o.out).toContain('Found 1 race on 1 variable');
    expect(file.o.out).toContain('x: 1 race between 2 request contexts');

    // The built bin: the exit code reaches the shell (what a CI step checks).
    const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
    expect(existsSync(cli), 'build @sightline/collector first (turbo does before test)').toBe(true);
    const run = spawnSync(process.execPath, [cli, 'races', '--db', db], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('Found 1 race on 1 variable');
  });

  it('exit code 2 when there is nothing to read', async () => {
    const missing = io();
    expect(await runRaces({ url: undefined, db: join(dir, 'none.sqlite'), json: false }, missing.io)).toBe(2);
    expect(missing.o.err).toContain('no database at');
    const down = io();
    expect(await runRaces({ url: 'http://127.0.0.1:9', db: '', json: false }, down.io)).toBe(2);
  });
});
