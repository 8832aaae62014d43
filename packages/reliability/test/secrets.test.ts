import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { captureException, getCurrentClient, init, logger, resolveOptions } from '@sightline/core';
import { TEST_API_KEY, collectOutput, startIngestServer } from '@sightline/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './helpers/build.js';
import { runScript } from './helpers/child.js';
import { RESULTS_DIR, record } from './helpers/results.js';

/**
 * The API key never appears in anything the process writes: debug logs, warnings, errors,
 * getStats(), thrown messages, crash output, recorded results and test snapshots. The backend
 * is made to misbehave in every way (and to echo the key back) so every error path runs.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

beforeAll(() => ensureBuilt(), 300_000);

/** Every place a user might paste the key that is not `apiKey` itself. */
function thrownMessages(): string[] {
  const attempts: (() => unknown)[] = [
    () => resolveOptions({ apiKey: TEST_API_KEY, host: `https://${TEST_API_KEY}@ingest.example.test` }),
    () => resolveOptions({ apiKey: TEST_API_KEY, host: `${TEST_API_KEY} is not a url` }),
    () => resolveOptions({ dsn: `https://${TEST_API_KEY}@bad host/` }),
    () => resolveOptions({ dsn: `ftp://${TEST_API_KEY}@` }),
    () => resolveOptions({ apiKey: TEST_API_KEY, sampleRate: TEST_API_KEY as never }),
    () => resolveOptions({ apiKey: TEST_API_KEY, environment: 42 as never }),
    () => resolveOptions({}, { ALLSTAK_API_KEY: TEST_API_KEY, ALLSTAK_DEBUG: TEST_API_KEY }),
    () => resolveOptions({}, { ALLSTAK_DSN: `https://${TEST_API_KEY}@ not a host` }),
    () => resolveOptions({}, { ALLSTAK_HOST: `mailto:${TEST_API_KEY}` }),
    () => resolveOptions({ apiKey: TEST_API_KEY }, { ALLSTAK_SAMPLE_RATE: TEST_API_KEY }),
    () => init({ apiKey: TEST_API_KEY, propagators: [42 as never] }),
  ];
  const out: string[] = [];
  for (const a of attempts) {
    try {
      a();
      out.push('(accepted)');
    } catch (err) {
      out.push(`${String(err)}\n${(err as Error).stack ?? ''}`);
    }
  }
  return out;
}

describe('secrets: the API key never appears in any output', () => {
  it('in-process: debug output, warnings, errors, stats and thrown messages, under every backend fault', async () => {
    const server = await startIngestServer({ apiKey: TEST_API_KEY });
    // Each fault once per category, the key echoed back in bodies and headers.
    const faults = [
      { status: 500, body: `{"error":"bad key ${TEST_API_KEY}"}` },
      { status: 401, body: `{"error":"invalid X-AllStak-Key: ${TEST_API_KEY}"}` },
      { status: 429, headers: { 'retry-after': '0', 'x-echo': TEST_API_KEY } },
      'reset' as const,
      'garbage' as const,
      { status: 413, body: TEST_API_KEY },
    ];
    let n = 0;
    server.respond(() => faults[n++ % faults.length]!);
    const out = collectOutput();
    let stats = '';
    let thrown: string[] = [];
    try {
      const client = init({
        apiKey: TEST_API_KEY,
        host: server.url,
        debug: true,
        flushInterval: 10,
        defaultIntegrations: false,
        release: '1.0.0',
      });
      for (let i = 0; i < 30; i++) {
        captureException(new Error(`failure ${i}`));
        logger.warn(`warning ${i}`, { i });
      }
      await client.flush(4000);
      stats = JSON.stringify(client.getStats());
      thrown = thrownMessages();
      for (const t of thrown) console.error(t);
      await getCurrentClient()?.close(500);
      await client.close(500);
    } finally {
      out.restore();
      await server.stop();
    }
    const text = out.text();
    record({
      group: 'secrets',
      injected:
        'debug: true; the backend answers 500/401/429/413 echoing the key, resets and garbage; options with the key pasted into host, dsn, env vars and wrong types',
      figures: {
        'output inspected (chars)': text.length,
        'stats inspected (chars)': stats.length,
        'thrown messages inspected': thrown.length,
        'debug lines': (text.match(/\[sightline\]/g) ?? []).length,
        'key occurrences': (text + stats + thrown.join('')).split(TEST_API_KEY).length - 1,
      },
      outcome: 'the key appeared nowhere',
    });
    expect(text).toContain('[sightline]'); // debug output really was produced ...
    expect(text).toMatch(/HTTP 401|HTTP 413|network error/);
    expect(thrown.filter((t) => t !== '(accepted)').length).toBeGreaterThan(5);
    expect(text).not.toContain(TEST_API_KEY); // ... and never carried the key
    expect(stats).not.toContain(TEST_API_KEY);
    for (const t of thrown) expect(t).not.toContain(TEST_API_KEY);
  });

  it('child processes: everything written to stdout and stderr, including crash output', async () => {
    const server = await startIngestServer({ apiKey: TEST_API_KEY });
    server.respond({ status: 500, body: TEST_API_KEY, headers: { 'x-echo': TEST_API_KEY } });
    const env = {
      ALLSTAK_API_KEY: TEST_API_KEY,
      ALLSTAK_HOST: server.url,
      SL_DEBUG: '1',
      SL_SHUTDOWN_MS: '500',
    };
    const runs = await Promise.all(
      ['natural', 'crash', 'reject'].map((mode) => runScript('shutdown-app.mjs', [mode], env)),
    );
    const dsnRun = await runScript('shutdown-app.mjs', ['crash'], {
      ALLSTAK_DSN: `http://${TEST_API_KEY}@127.0.0.1:${server.port}`,
      SL_DEBUG: '1',
      SL_SHUTDOWN_MS: '500',
    });
    await server.stop();
    const all = [...runs, dsnRun];
    const text = all.map((r) => r.stdout + r.stderr).join('\n');
    record({
      group: 'secrets',
      injected:
        'child processes with debug on (key from ALLSTAK_API_KEY, and from a DSN), backend answering 500 with the key echoed; natural exit, uncaught exception, unhandled rejection',
      figures: {
        processes: all.length,
        'output inspected (chars)': text.length,
        'exit codes': all.map((r) => r.code).join(', '),
        'key occurrences': text.split(TEST_API_KEY).length - 1,
      },
      outcome: 'the key appeared nowhere in anything the processes wrote',
    });
    expect(text).toContain('[sightline]');
    expect(text).toContain('fatal in a timer');
    expect(all.map((r) => r.code)).toEqual([0, 1, 1, 1]);
    expect(text).not.toContain(TEST_API_KEY);
  });

  it('files: recorded results, the generated report and every test snapshot in the repository', () => {
    const files: string[] = [];
    const walk = (dir: string, depth: number) => {
      if (depth > 6 || !existsSync(dir)) return;
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        if (e.name === 'node_modules' || e.name === 'dist' || e.name === '.git') continue;
        const p = join(dir, e.name);
        if (e.isDirectory()) walk(p, depth + 1);
        else if (e.name.endsWith('.snap') || p.startsWith(RESULTS_DIR)) files.push(p);
      }
    };
    walk(join(ROOT, 'packages'), 0);
    const doc = join(ROOT, 'docs', 'reliability.md');
    if (existsSync(doc)) files.push(doc);
    const hits = files.filter((f) => readFileSync(f, 'utf8').includes(TEST_API_KEY));
    record({
      group: 'secrets',
      injected: 'scan of .results/*.json, docs/reliability.md and every *.snap under packages/',
      figures: { 'files scanned': files.length, 'files containing the key': hits.length },
      outcome: 'no file carried the key',
    });
    expect(hits).toEqual([]);
  });
});
