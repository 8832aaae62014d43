import http from 'node:http';
import https from 'node:https';
import * as undici6 from 'undici6';
import * as undici7 from 'undici';

export interface CallResult {
  status: number;
  body: string;
}

/** Makes one GET and reads the whole body. */
export type Caller = (url: string) => Promise<CallResult>;

/** What the tests need to know about a caller besides how to call. */
export interface CallerTraits {
  /** Speaks TLS only: call an https service. @default false */
  https?: boolean;
  /**
   * Goes through `node:http`'s `http.client.*` channels: it gets trace headers only where
   * `http.client.request.created` is published (Node >= 22.12); on Node 20 none. @default false
   */
  httpModule?: boolean;
}

// undici Pools and Clients, one per kind, major and origin, reused like an app would.
const dispatchers = new Map<string, { close(): Promise<void> }>();

function dispatcherFor<D extends { close(): Promise<void> }>(key: string, make: () => D): D {
  let d = dispatchers.get(key) as D | undefined;
  if (!d) dispatchers.set(key, (d = make()));
  return d;
}

function split(url: string): { origin: string; path: string } {
  const u = new URL(url);
  return { origin: u.origin, path: u.pathname + u.search };
}

/**
 * `http.request` (or `https.request` for an https URL) with optional `lookup` or TLS options,
 * resolving with the status and body.
 */
export function httpGet(url: string, options: https.RequestOptions = {}): Promise<CallResult> {
  return new Promise((resolve, reject) => {
    const request = url.startsWith('https:') ? https.request : http.request;
    const req = request(url, options, (res) => {
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

/** Every client the package claims to cover, with its traits. */
export const CALLERS: [string, Caller, CallerTraits][] = [
  [
    'global fetch',
    async (url) => {
      const r = await fetch(url);
      return { status: r.status, body: await r.text() };
    },
    {},
  ],
  [
    'undici 7 request',
    async (url) => {
      const r = await undici7.request(url);
      return { status: r.statusCode, body: await r.body.text() };
    },
    {},
  ],
  [
    'undici 7 fetch',
    async (url) => {
      const r = await undici7.fetch(url);
      return { status: r.status, body: await r.text() };
    },
    {},
  ],
  [
    'undici 7 Pool',
    async (url) => {
      const { origin, path } = split(url);
      const pool = dispatcherFor(`Pool 7 ${origin}`, () => new undici7.Pool(origin));
      const r = await pool.request({ path, method: 'GET' });
      return { status: r.statusCode, body: await r.body.text() };
    },
    {},
  ],
  [
    'undici 7 Client',
    async (url) => {
      const { origin, path } = split(url);
      const client = dispatcherFor(`Client 7 ${origin}`, () => new undici7.Client(origin));
      const r = await client.request({ path, method: 'GET' });
      return { status: r.statusCode, body: await r.body.text() };
    },
    {},
  ],
  [
    'undici 6 request',
    async (url) => {
      const r = await undici6.request(url);
      return { status: r.statusCode, body: await r.body.text() };
    },
    {},
  ],
  [
    'undici 6 fetch',
    async (url) => {
      const r = await undici6.fetch(url);
      return { status: r.status, body: await r.text() };
    },
    {},
  ],
  [
    'undici 6 Pool',
    async (url) => {
      const { origin, path } = split(url);
      const pool = dispatcherFor(`Pool 6 ${origin}`, () => new undici6.Pool(origin));
      const r = await pool.request({ path, method: 'GET' });
      return { status: r.statusCode, body: await r.body.text() };
    },
    {},
  ],
  [
    'undici 6 Client',
    async (url) => {
      const { origin, path } = split(url);
      const client = dispatcherFor(`Client 6 ${origin}`, () => new undici6.Client(origin));
      const r = await client.request({ path, method: 'GET' });
      return { status: r.statusCode, body: await r.body.text() };
    },
    {},
  ],
  ['http.request', (url) => httpGet(url), { httpModule: true }],
  // A self-signed service: its certificate is not checked (loopback only).
  ['https.request', (url) => httpGet(url, { rejectUnauthorized: false }), { https: true, httpModule: true }],
];

/** Closes the Pools and Clients the callers opened. */
export async function closeCallers(): Promise<void> {
  await Promise.all([...dispatchers.values()].map((d) => d.close()));
  dispatchers.clear();
}
