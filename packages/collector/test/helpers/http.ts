import { request } from 'node:http';
import { gzipSync } from 'node:zlib';

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: () => any;
}

/**
 * A raw node:http request (not fetch), so tests control every header and byte and nothing in
 * the SDK's fetch instrumentation can get involved.
 */
export function send(
  url: string,
  path: string,
  opts: { method?: string; body?: string | Buffer; headers?: Record<string, string | number> } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method: opts.method ?? 'GET', headers: opts.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export const KEY = 'sk_test_collector_SECRET_42';

/** POSTs a JSON body to an ingest path (`/ingest/v1/logs` or just `logs`), optionally gzipped. */
export function ingest(
  url: string,
  kind: string,
  body: unknown,
  opts: { gzip?: boolean; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const json = typeof body === 'string' ? body : JSON.stringify(body);
  const payload = opts.gzip ? gzipSync(json) : Buffer.from(json);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  if (opts.gzip) headers['content-encoding'] = 'gzip';
  if (opts.key !== null) headers['x-allstak-key'] = opts.key ?? KEY;
  return send(url, kind.startsWith('/') ? kind : `/ingest/v1/${kind}`, {
    method: 'POST',
    body: payload,
    headers,
  });
}

export async function getJson(url: string, path: string): Promise<any> {
  const r = await send(url, path);
  if (r.status !== 200) throw new Error(`GET ${path} -> ${r.status} ${r.text}`);
  return r.json();
}
