import { request } from 'node:http';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Collector, startCollector } from '../src/index.js';
import { ingest, send } from './helpers/http.js';

let c: Collector;
beforeAll(async () => {
  c = await startCollector();
});
afterAll(() => c.close());

const UI_DIR = fileURLToPath(new URL('../src/ui/', import.meta.url));

describe('UI assets', () => {
  it('serves the page and its modules with a same-origin-only CSP', async () => {
    const page = await send(c.url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.text).toContain('<script type="module" src="/assets/app.js">');
    for (const file of readdirSync(UI_DIR).filter((f) => f !== 'index.html')) {
      const r = await send(c.url, `/assets/${file}`);
      expect(r.status, file).toBe(200);
      expect(r.text).toBe(readFileSync(UI_DIR + file, 'utf8'));
    }
    expect((await send(c.url, '/assets/app.js')).headers['content-type']).toBe(
      'text/javascript; charset=utf-8',
    );
  });

  it('references nothing outside the collector (works offline, no CDN)', () => {
    for (const file of readdirSync(UI_DIR)) {
      const text = readFileSync(UI_DIR + file, 'utf8');
      // The SVG namespace is an identifier, not a request.
      const urls = (text.match(/(?:https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/gi) ?? []).filter(
        (u) => !u.includes('www.w3.org'),
      );
      expect(urls, file).toEqual([]);
    }
  });

  it('answers 404 for anything else, including path tricks', async () => {
    for (const p of [
      '/assets/../package.json',
      '/assets/%2e%2e/package.json',
      '/assets/missing.js',
      '/src/ui/app.js',
      '/nope',
    ]) {
      expect((await send(c.url, p)).status, p).toBe(404);
    }
    expect((await send(c.url, '/api/stats', { method: 'POST' })).status).toBe(405);
  });
});

describe('live feed', () => {
  it('streams a batched `stored` event after ingest', async () => {
    const events = await new Promise<string>((resolve, reject) => {
      const req = request(`${c.url}/api/live`, { agent: false }, (res) => {
        expect(res.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        let buf = '';
        res.on('data', (d: Buffer) => {
          buf += d;
          if (buf.includes('event: stored')) {
            req.destroy();
            resolve(buf);
          }
        });
        // Subscribed: now send two logs.
        void (async () => {
          await ingest(c.url, 'logs', { level: 'info', message: 'a' });
          await ingest(c.url, 'logs', { level: 'info', message: 'b' });
        })();
      });
      req.on('error', reject);
      req.end();
    });
    const data = /event: stored\ndata: (.*)\n/.exec(events)?.[1];
    // Both logs usually land in one batch; a slow machine may split them.
    const counts = JSON.parse(data!);
    expect(Object.keys(counts)).toEqual(['logs']);
    expect(counts.logs).toBeGreaterThanOrEqual(1);
  });
});
