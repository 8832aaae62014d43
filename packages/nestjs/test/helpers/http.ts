import http, { type OutgoingHttpHeaders } from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** `x-allstak-trace-id` of the response. */
  traceId: string | undefined;
  /** `x-allstak-request-id` of the response. */
  requestId: string | undefined;
}

export interface SendOptions {
  method?: string;
  /** An object, or raw `[name, value, name, value]` pairs to send a header more than once. */
  headers?: OutgoingHttpHeaders | string[];
  body?: string;
}

/** One request over node:http (full control over repeated headers, HEAD and aborts). */
export function send(base: string, path: string, options: SendOptions = {}): Promise<Reply> {
  let headers = options.headers;
  // Raw header arrays go out as given: node adds no Host header to them.
  if (Array.isArray(headers)) headers = ['host', new URL(base).host, ...headers];
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${base}${path}`,
      { method: options.method ?? 'GET', headers: headers as OutgoingHttpHeaders, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const header = (name: string) => {
            const v = res.headers[name];
            return Array.isArray(v) ? v[0] : v;
          };
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            traceId: header('x-allstak-trace-id'),
            requestId: header('x-allstak-request-id'),
          });
        });
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/** What a status + body comparison between two apps looks at. */
export function answer(r: Reply): { status: number; body: string; contentType: string | undefined } {
  const ct = r.headers['content-type'];
  return {
    status: r.status,
    body: r.body,
    contentType: typeof ct === 'string' ? ct.replace(/\s+/g, '').toLowerCase() : ct,
  };
}
