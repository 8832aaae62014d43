import http from 'node:http';
import * as undici6 from 'undici6';
import * as undici7 from 'undici';

export interface CallResult {
  status: number;
  body: string;
}

/** Makes one GET and reads the whole body. */
export type Caller = (url: string) => Promise<CallResult>;

const pools = new Map<string, undici7.Pool>();
const clients = new Map<string, undici7.Client>();

function split(url: string): { origin: string; path: string } {
  const u = new URL(url);
  return { origin: u.origin, path: u.pathname + u.search };
}

/** `http.request` with an optional `lookup`, resolving with the status and body. */
export function httpGet(url: string, options: http.RequestOptions = {}): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Every client the package claims to cover. */
export const CALLERS: [string, Caller][] = [
  [
    'global fetch',
    async (url) => {
      const r = await fetch(url);
      return { status: r.status, body: await r.text() };
    },
  ],
  [
    'undici 7 request',
    async (url) => {
      const r = await undici7.request(url);
      return { status: r.statusCode, body: await r.body.text() };
    },
  ],
  [
    'undici 7 fetch',
    async (url) => {
      const r = await undici7.fetch(url);
      return { status: r.status, body: await r.text() };
    },
  ],
  [
    'undici 7 Pool',
    async (url) => {
      const { origin, path } = split(url);
      let pool = pools.get(origin);
      if (!pool) pools.set(origin, (pool = new undici7.Pool(origin)));
      const r = await pool.request({ path, method: 'GET' });
      return { status: r.statusCode, body: await r.body.text() };
    },
  ],
  [
    'undici 7 Client',
    async (url) => {
      const { origin, path } = split(url);
      let client = clients.get(origin);
      if (!client) clients.set(origin, (client = new undici7.Client(origin)));
      const r = await client.request({ path, method: 'GET' });
      return { status: r.statusCode, body: await r.body.text() };
    },
  ],
  [
    'undici 6 request',
    async (url) => {
      const r = await undici6.request(url);
      return { status: r.statusCode, body: await r.body.text() };
    },
  ],
  [
    'undici 6 fetch',
    async (url) => {
      const r = await undici6.fetch(url);
      return { status: r.status, body: await r.text() };
    },
  ],
];

/** Closes the Pools and Clients the callers opened. */
export async function closeCallers(): Promise<void> {
  await Promise.all([...pools.values(), ...clients.values()].map((d) => d.close()));
  pools.clear();
  clients.clear();
}
