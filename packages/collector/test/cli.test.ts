import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_DB, DEFAULT_PORT, parseCli } from '../src/cli-args.js';
import { KEY, getJson, ingest } from './helpers/http.js';

describe('parseCli', () => {
  it('defaults to port 7331 and a file database, with no key', () => {
    expect(parseCli([], {})).toEqual({
      kind: 'run',
      options: {
        port: DEFAULT_PORT,
        host: undefined,
        db: DEFAULT_DB,
        apiKey: undefined,
        maxRowsPerKind: undefined,
        maxAgeMs: undefined,
        maxBodyBytes: undefined,
      },
    });
  });

  it('reads every flag, and the key from the environment', () => {
    const cmd = parseCli(
      [
        '--port',
        '0',
        '--host',
        '::1',
        '--db',
        ':memory:',
        '--max-rows',
        '10',
        '--max-age',
        '0.5',
        '--max-body',
        '1024',
      ],
      { SIGHTLINE_COLLECTOR_API_KEY: 'k' },
    );
    expect(cmd).toEqual({
      kind: 'run',
      options: {
        port: 0,
        host: '::1',
        db: ':memory:',
        apiKey: 'k',
        maxRowsPerKind: 10,
        maxAgeMs: 1_800_000,
        maxBodyBytes: 1024,
      },
    });
    expect(parseCli(['--api-key', 'flag'], { SIGHTLINE_COLLECTOR_API_KEY: 'env' })).toMatchObject({
      options: { apiKey: 'flag' },
    });
  });

  it('rejects bad values and unknown flags with a message, and knows --help', () => {
    expect(parseCli(['--port', 'abc'])).toEqual({ kind: 'error', message: '--port must be an integer >= 0' });
    expect(parseCli(['--port', '70000'])).toEqual({ kind: 'error', message: '--port must be at most 65535' });
    expect(parseCli(['--max-age', '-1'])).toMatchObject({ kind: 'error' });
    expect(parseCli(['--max-rows', '0'])).toMatchObject({ kind: 'error' });
    expect(parseCli(['--bogus'])).toMatchObject({
      kind: 'error',
      message: expect.stringContaining('--bogus'),
    });
    expect(parseCli(['-h'])).toEqual({ kind: 'help' });
  });
});

const CLI = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'sightline-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function start(args: string[]): {
  child: ChildProcess;
  output: () => string;
  ready: Promise<string>;
  exit: Promise<number | null>;
} {
  const child = spawn(process.execPath, [CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, SIGHTLINE_COLLECTOR_API_KEY: '' },
  });
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`CLI did not start:\n${out}`)), 15_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /UI:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d) => (out += d));
    child.on('close', () => {
      clearTimeout(timer);
      reject(new Error(`CLI exited:\n${out}`));
    });
  });
  // Tests that expect the CLI to fail never await `ready`.
  ready.catch(() => {});
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return { child, output: () => out, ready, exit };
}

describe('sightline-collector (built bin)', () => {
  it('prints the ingest and UI URLs, never the key, and saves the database on Ctrl-C', async () => {
    expect(existsSync(CLI), 'build @sightline/collector first (turbo does before test)').toBe(true);
    const db = join(dir, 'cli.sqlite');
    const a = start(['--port', '0', '--db', db, '--api-key', KEY]);
    const url = await a.ready;
    expect(a.output()).toContain(`Ingest:  ${url}`);
    expect(a.output()).toContain('API key: required');
    expect(a.output()).not.toContain(KEY);
    expect(
      (await ingest(url, 'logs', { level: 'info', message: 'from the cli test' }, { key: null })).status,
    ).toBe(401);
    expect((await ingest(url, 'logs', { level: 'info', message: 'from the cli test' })).status).toBe(200);
    a.child.kill('SIGINT');
    expect(await a.exit).toBe(0);
    expect(existsSync(db)).toBe(true);

    const b = start(['--port', '0', '--db', db]);
    const url2 = await b.ready;
    const logs = await getJson(url2, '/api/logs');
    expect(logs.map((l: { message: string }) => l.message)).toEqual(['from the cli test']);
    b.child.kill('SIGTERM');
    expect(await b.exit).toBe(0);
  });

  it('explains a taken port and bad flags with a non-zero exit', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = start(['--port', String(port), '--db', ':memory:']);
      expect(await taken.exit).toBe(1);
      expect(taken.output()).toContain(`port ${port} is taken`);
    } finally {
      blocker.close();
    }
    const bad = start(['--port', 'x']);
    expect(await bad.exit).toBe(2);
    expect(bad.output()).toContain('--port must be an integer');
    expect(bad.output()).toContain('Usage: sightline-collector');
  });
});
