import { TEST_API_KEY } from '@sightline/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from './helpers/build.js';
import { runScript } from './helpers/child.js';
import { record } from './helpers/results.js';

/**
 * A plain-http host that is not loopback would carry the API key in clear text: one warning,
 * which `allowInsecureTransport` silences. Each case runs in its own process so "one" means one
 * per process. No host below is ever contacted (the child's transport sends nothing).
 */

beforeAll(() => ensureBuilt(), 300_000);

const WARNING = /SIGHTLINE_INSECURE_HOST/g;

async function warnings(options: Record<string, unknown>, env: Record<string, string> = {}, inits = 1) {
  const r = await runScript('insecure-app.mjs', [], {
    SL_OPTIONS: JSON.stringify(options),
    SL_INITS: String(inits),
    ...env,
  });
  expect(r.code).toBe(0);
  expect(r.stdout + r.stderr).not.toContain(TEST_API_KEY);
  return { count: (r.stderr.match(WARNING) ?? []).length, stderr: r.stderr };
}

describe('plain-http, non-loopback host', () => {
  it('warns exactly once per process, says why, and allowInsecureTransport silences it', async () => {
    const key = { apiKey: TEST_API_KEY };
    const cases: [string, Promise<{ count: number; stderr: string }>, number][] = [
      ['http://ingest.example.test', warnings({ ...key, host: 'http://ingest.example.test' }), 1],
      [
        'same host, init() called 3 times',
        warnings({ ...key, host: 'http://ingest.example.test' }, {}, 3),
        1,
      ],
      ['host from ALLSTAK_HOST', warnings(key, { ALLSTAK_HOST: 'http://10.1.2.3:8080' }), 1],
      ['host from a DSN', warnings({ dsn: `http://${TEST_API_KEY}@ingest.example.test` }), 1],
      [
        'allowInsecureTransport: true',
        warnings({ ...key, host: 'http://ingest.example.test', allowInsecureTransport: true }),
        0,
      ],
      ['https://ingest.example.test', warnings({ ...key, host: 'https://ingest.example.test' }), 0],
      ['http://127.0.0.1:4318', warnings({ ...key, host: 'http://127.0.0.1:4318' }), 0],
      ['http://127.8.9.10', warnings({ ...key, host: 'http://127.8.9.10' }), 0],
      ['http://localhost:4318', warnings({ ...key, host: 'http://localhost:4318' }), 0],
      ['http://[::1]:4318', warnings({ ...key, host: 'http://[::1]:4318' }), 0],
      ['no API key (SDK disabled)', warnings({ host: 'http://ingest.example.test' }), 0],
    ];
    const results = await Promise.all(cases.map(async ([name, p, want]) => ({ name, want, ...(await p) })));
    const first = results[0]!.stderr;
    record({
      group: 'secrets',
      injected: `${cases.length} child processes initialising Sightline with plain-http, https and loopback hosts (never contacted)`,
      figures: Object.fromEntries(results.map((r) => [r.name, `${r.count} warning(s), expected ${r.want}`])),
      outcome:
        'one warning per process for a plain-http non-loopback host; none for https, loopback, a disabled SDK or with allowInsecureTransport',
    });
    for (const r of results) expect(r.count, r.name).toBe(r.want);
    expect(first).toMatch(/plain http on a non-loopback address: the API key travels unencrypted/);
    expect(first).toContain('allowInsecureTransport');
  });
});
