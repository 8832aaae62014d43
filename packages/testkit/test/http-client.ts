import { request } from 'node:http';
import { gzipSync } from 'node:zlib';

export interface PostResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  ms: number;
}

/** A bare node:http POST (no keep-alive) so each behaviour is seen on a fresh socket. */
export function post(
  url: string,
  body: unknown,
  opts: { key?: string; gzip?: boolean; method?: string; raw?: string } = {},
): Promise<PostResult> {
  const json = Buffer.from(opts.raw ?? JSON.stringify(body) ?? '');
  const payload = opts.gzip ? gzipSync(json) : json;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.key) headers['x-allstak-key'] = opts.key;
  if (opts.gzip) headers['content-encoding'] = 'gzip';
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: opts.method ?? 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          ms: Date.now() - started,
        }),
      );
    });
    req.on('error', reject);
    req.end(opts.method === 'GET' ? undefined : payload);
  });
}

export const span = (i = 1) => ({
  traceId: `${'a'.repeat(31)}${i % 10}`,
  spanId: `${'b'.repeat(15)}${i % 10}`,
  parentSpanId: '',
  operation: `GET /users/:id`,
  durationMs: 5,
  startTimeMillis: 1_700_000_000_000,
  endTimeMillis: 1_700_000_000_005,
  tags: { 'span.kind': 'server' },
});
