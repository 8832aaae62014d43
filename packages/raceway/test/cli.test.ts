import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, runCli } from '../src/cli/run.js';

const KEY = 'rw_cli_SECRET_0123456789';

function event(
  id: number,
  thread: string,
  type: 'Read' | 'Write',
  clock: Array<[string, number]>,
  locks: string[] = [],
) {
  return {
    id: `00000000-0000-4000-8000-${String(id).padStart(12, '0')}`,
    trace_id: '4bf92f35-77b3-4da6-a3ce-929d0e0e4736',
    parent_id: null,
    timestamp: `2026-01-01T00:00:00.${String(id).padStart(6, '0')}Z`,
    kind: {
      StateChange: {
        variable: 'balance',
        old_value: 1,
        new_value: 2,
        location: 'app.js:1',
        access_type: type,
      },
    },
    metadata: {
      thread_id: thread,
      process_id: 1,
      service_name: 's',
      environment: 'e',
      tags: {},
      duration_ns: null,
    },
    causality_vector: clock,
    lock_set: locks,
  };
}

const RACY = [event(1, 'A', 'Read', [['s/0', 1]]), event(2, 'B', 'Write', [['s/1', 1]])];
const CLEAN = [
  event(3, 'A', 'Write', [['s/0', 1]]),
  event(4, 'B', 'Write', [
    ['s/1', 1],
    ['s/0', 1],
  ]),
];

function io(stdin = ''): CliIo & { stdout: string; stderr: string } {
  const o = {
    stdout: '',
    stderr: '',
    out: (t: string) => {
      o.stdout += t;
    },
    err: (t: string) => {
      o.stderr += t;
    },
    readStdin: async () => stdin,
    env: {} as Record<string, string | undefined>,
  };
  return o;
}

let dir: string;
let server: http.Server;
let base: string;
const seenAuth: Array<string | undefined> = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sightline-races-'));
  await writeFile(join(dir, 'racy.json'), JSON.stringify({ events: RACY }));
  await writeFile(join(dir, 'clean.ndjson'), CLEAN.map((e) => JSON.stringify(e)).join('\n'));
  server = http.createServer((req, res) => {
    seenAuth.push(req.headers.authorization);
    if (req.url === '/api/raceway/events')
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ events: RACY }));
    else res.writeHead(401).end('{"success":false,"data":null,"error":"Unauthorized"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await new Promise((r) => server.close(r));
});

describe('sightline-races', () => {
  it('exits 1 and prints the races when there are some', async () => {
    const o = io();
    expect(await runCli([join(dir, 'racy.json')], o)).toBe(1);
    expect(o.stdout).toContain('Found 1 race on 1 variable');
    expect(o.stdout).toContain('balance: 1 race between 2 request contexts');
  });

  it('exits 0 when there are none (NDJSON, and stdin by default)', async () => {
    const o = io();
    expect(await runCli([join(dir, 'clean.ndjson')], o)).toBe(0);
    expect(o.stdout).toContain('No races found (2 events, 2 state changes, 2 request contexts).');
    const s = io(JSON.stringify(CLEAN));
    expect(await runCli([], s)).toBe(0);
    expect(await runCli(['-'], io(JSON.stringify(RACY)))).toBe(1);
  });

  it('--json prints the report object', async () => {
    const o = io();
    expect(await runCli(['--json', join(dir, 'racy.json'), join(dir, 'clean.ndjson')], o)).toBe(1);
    const report = JSON.parse(o.stdout);
    // Both files together: the clean file's first write is also concurrent with the racy file's write.
    expect(report.raceCount).toBe(2);
    expect(report.events).toBe(4);
    expect(report.races[0].variable).toBe('balance');
  });

  it('--url reads a running endpoint with the key as a Bearer token, never echoing the key', async () => {
    seenAuth.length = 0;
    const o = io();
    expect(await runCli(['--url', `${base}/api/raceway/events`, '--key', KEY], o)).toBe(1);
    expect(seenAuth).toEqual([`Bearer ${KEY}`]);
    const env = io();
    env.env.RACEWAY_API_KEY = KEY;
    expect(await runCli(['--url', `${base}/api/raceway/events`], env)).toBe(1);
    expect(seenAuth[1]).toBe(`Bearer ${KEY}`);
    const denied = io();
    expect(await runCli(['--url', `${base}/nope`, '--key', KEY], denied)).toBe(2);
    expect(denied.stderr).toContain('answered 401');
    expect(denied.stderr + denied.stdout).not.toContain(KEY);
  });

  it('exits 2 on usage errors and unreadable input', async () => {
    const missing = io();
    expect(await runCli([join(dir, 'missing.json')], missing)).toBe(2);
    expect(missing.stderr).toContain('sightline-races:');
    expect(await runCli(['--url'], io())).toBe(2);
    expect(await runCli(['--bogus'], io())).toBe(2);
    expect(await runCli(['--url', 'ftp://x/events'], io())).toBe(2);
    const help = io();
    expect(await runCli(['--help'], help)).toBe(0);
    expect(help.stdout).toContain('Usage: sightline-races');
  });
});
