import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';

/**
 * The web UI: plain HTML, CSS and browser ES modules in `src/ui/`, read from disk once and
 * served from the collector itself, so it works with no internet access. The CSP allows only
 * same-origin assets, which also keeps any CDN reference from sneaking in.
 */

const TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
};
const ASSET = /^\/assets\/([a-z0-9-]{1,64})\.(js|css|svg)$/;
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// From src/http/ (tests, sightline-source) the UI is ../ui/; from dist/ it is ../src/ui/
// (the package ships src).
const CANDIDATES = ['../ui/', '../src/ui/', './ui/'];
let uiDir: string | undefined;
const cache = new Map<string, Buffer | null>();

function read(name: string): Buffer | null {
  if (cache.has(name)) return cache.get(name)!;
  let found: Buffer | null = null;
  const dirs = uiDir ? [uiDir] : CANDIDATES.map((c) => fileURLToPath(new URL(c, import.meta.url)));
  for (const dir of dirs) {
    try {
      found = readFileSync(dir + name);
      uiDir = dir;
      break;
    } catch {
      // try the next location
    }
  }
  cache.set(name, found);
  return found;
}

/** Serves `/` and `/assets/*`; returns false when the path is not a UI path. */
export function serveUi(res: ServerResponse, pathname: string): boolean {
  let name: string;
  let ext: string;
  const m = ASSET.exec(pathname);
  if (pathname === '/' || pathname === '/index.html') {
    name = 'index.html';
    ext = 'html';
  } else if (m) {
    name = `${m[1]}.${m[2]}`;
    ext = m[2]!;
  } else return false;
  const body = read(name);
  if (!body) return false;
  res.writeHead(200, {
    'content-type': TYPES[ext]!,
    'content-length': body.length,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  res.end(body);
  return true;
}
