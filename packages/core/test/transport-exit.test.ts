import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * "Never keeps the process alive", checked the only way that cannot be fooled: a real child
 * `node` process with a request hanging, a retry pending, a 429 hold, a batch lingering and a
 * flush waiting must still exit on its own as soon as its own work is done.
 *
 * Node 20 cannot run TypeScript and `dist/` may be stale or missing, so the transport sources
 * (and the context module they import) are transpiled file by file with the TypeScript
 * compiler into a temp dir; that is the code under test, not a build of it.
 */

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', 'src');
let dir: string;
let server: http.Server;
let base: string;
const hits: string[] = [];

function transpile(from: string, to: string): void {
  const out = ts.transpileModule(readFileSync(from, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  writeFileSync(to, out.outputText);
}

const CHILD = `
import { createTransport, createHttpExecutor } from './transport/transport.js';
const base = process.argv[2];
const t = createTransport({
  categories: { errors: { batched: false }, spans: { batched: true }, logs: { batched: false }, db: { batched: true } },
  encode: (category, items) => ({
    url: base + '/ingest/v1/' + category, method: 'POST',
    headers: { 'content-type': 'application/json' }, body: JSON.stringify(items),
  }),
  executor: createHttpExecutor({ timeoutMs: 60_000 }),
  flushInterval: 60_000, maxBatchSize: 2, retryBaseMs: 60_000, maxRetryAfterMs: 300_000,
});
t.send('errors', 'hangs');        // request in flight for up to 60 s
t.send('spans', 'gets 500');      // a full batch of 2: retry timer (up to 60 s)
t.send('spans', 'also');
t.send('logs', 'gets 429');       // 429 hold of 300 s
t.send('logs', 'held');
t.send('db', 'lingers');          // partial batch: arms the 60 s linger timer (the flush sends it early)
t.flush(120_000).then((ok) => console.log('flush settled ' + ok));
// The only ref'd handle the child owns: report once everything is under way, then let go.
setTimeout(() => {
  const s = t.getStats().categories;
  console.log(JSON.stringify({ errors: s.errors.inFlight, spans: s.spans.inFlight, logs: s.logs.queued, held: s.logs.rateLimitedUntil > 0, db: s.db.delivered }));
}, 400);
`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sightline-transport-exit-'));
  mkdirSync(join(dir, 'transport'));
  transpile(join(SRC, 'context.ts'), join(dir, 'context.js'));
  for (const f of readdirSync(join(SRC, 'transport'))) {
    if (f.endsWith('.ts'))
      transpile(join(SRC, 'transport', f), join(dir, 'transport', f.replace(/\.ts$/, '.js')));
  }
  writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
  writeFileSync(join(dir, 'child.mjs'), CHILD);

  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hits.push(req.url ?? '');
      if (req.url?.endsWith('/errors')) return; // hang
      if (req.url?.endsWith('/spans')) res.writeHead(500).end();
      else if (req.url?.endsWith('/logs')) res.writeHead(429, { 'retry-after': '300' }).end();
      else res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

describe('transport and process exit', () => {
  it('lets the process exit with requests, retries, holds and a flush pending', async () => {
    const start = Date.now();
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        [join(dir, 'child.mjs'), base],
        { timeout: 8000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });
    const elapsed = Date.now() - start;
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    // Everything really was pending when the child let go ...
    const report = JSON.parse(result.stdout.trim().split('\n').pop() ?? '{}');
    expect(report).toEqual({ errors: 1, spans: 2, logs: 2, held: true, db: 1 });
    expect(result.stdout).not.toContain('flush settled');
    expect(hits.sort()).toEqual([
      '/ingest/v1/db',
      '/ingest/v1/errors',
      '/ingest/v1/logs',
      '/ingest/v1/logs',
      '/ingest/v1/spans',
    ]);
    // ... and it exited right after its own 400 ms timer, not after any transport timeout.
    expect(elapsed).toBeLessThan(5000);
  });
});
