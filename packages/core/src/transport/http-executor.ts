import http from 'node:http';
import https from 'node:https';
import type { HttpExecutorOptions, TransportExecutor, TransportRequest, TransportResponse } from './types.js';

const DEFAULT_TIMEOUT_MS = 10_000;

function responseHeaders(res: http.IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  // Node already lower-cases names; duplicated headers come as arrays and are joined.
  for (const [name, value] of Object.entries(res.headers)) {
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * The default executor: `node:http` / `node:https` (by URL protocol) over keep-alive agents.
 * Every socket is unref'd while in use (the agent unrefs idle ones itself), so a slow or dead
 * backend never keeps the host process alive; the response body is drained and ignored (unless
 * `maxResponseBytes` asks to keep a short one). Errors
 * never carry request headers (the API key travels in them).
 *
 * @example
 * const transport = createTransport({ categories, encode, executor: createHttpExecutor({ timeoutMs: 5000 }) });
 */
export function createHttpExecutor(options: HttpExecutorOptions = {}): TransportExecutor {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0 && Number.isFinite(timeoutMs))) {
    throw new TypeError('Invalid `timeoutMs`: must be a positive number of milliseconds');
  }
  if (options.rejectUnauthorized !== undefined && typeof options.rejectUnauthorized !== 'boolean') {
    throw new TypeError('Invalid `rejectUnauthorized`: must be a boolean');
  }
  const maxResponseBytes = options.maxResponseBytes ?? 0;
  if (!(typeof maxResponseBytes === 'number' && Number.isInteger(maxResponseBytes) && maxResponseBytes >= 0)) {
    throw new TypeError('Invalid `maxResponseBytes`: must be a non-negative integer');
  }
  // Created lazily so an SDK that never sends (no key) allocates no agent.
  let httpAgent: http.Agent | undefined;
  let httpsAgent: https.Agent | undefined;
  const agentFor = (protocol: string): http.Agent | undefined => {
    if (protocol === 'http:') return (httpAgent ??= new http.Agent({ keepAlive: true, maxSockets: 16 }));
    if (protocol === 'https:') {
      return (httpsAgent ??= new https.Agent({
        keepAlive: true,
        maxSockets: 16,
        ...(options.rejectUnauthorized === undefined
          ? {}
          : { rejectUnauthorized: options.rejectUnauthorized }),
      }));
    }
    return undefined;
  };

  // An exporter posts to a handful of URLs over and over: parse each once (~4 µs per request).
  // Node's http.request only reads the URL it is given. Bounded, in case URLs carry ids.
  const parsed = new Map<string, URL>();
  const parse = (raw: string): URL => {
    let url = parsed.get(raw);
    if (url === undefined) {
      url = new URL(raw);
      if (parsed.size >= 64) parsed.clear();
      parsed.set(raw, url);
    }
    return url;
  };

  return (req: TransportRequest) =>
    new Promise<TransportResponse>((resolve, reject) => {
      let url: URL;
      try {
        url = parse(req.url);
      } catch {
        // The URL is not echoed: a DSN-style URL may carry the key as user info.
        reject(new Error('Sightline transport: invalid request URL'));
        return;
      }
      const agent = agentFor(url.protocol);
      if (!agent) {
        reject(new Error(`Sightline transport: unsupported protocol ${url.protocol}`));
        return;
      }
      const body = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
      let settled = false;
      let deadline: NodeJS.Timeout | undefined;
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        reject(err);
      };
      const request = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: req.method,
          agent,
          headers: { ...req.headers, 'content-length': String(body.byteLength) },
        },
        (res) => {
          let chunks: Buffer[] | undefined = maxResponseBytes > 0 ? [] : undefined;
          let size = 0;
          if (chunks) {
            res.on('data', (chunk: Buffer) => {
              size += chunk.byteLength;
              if (size > maxResponseBytes) chunks = undefined;
              else chunks?.push(chunk);
            });
          }
          res.on('error', fail);
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(deadline);
            const out: TransportResponse = { status: res.statusCode ?? 0, headers: responseHeaders(res) };
            if (chunks) out.body = Buffer.concat(chunks).toString('utf8');
            resolve(out);
          });
          // Drain: the body is ignored, but it must be consumed for the socket to be reused.
          res.resume();
        },
      );
      deadline = setTimeout(() => {
        request.destroy(new Error(`Sightline transport: request timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      deadline.unref();
      // A reused keep-alive socket is ref'd again by the agent, so unref it on every request.
      request.on('socket', (socket) => socket.unref());
      request.on('error', fail);
      // 'close' follows every request: the Error (and its stack) is only made when it is news,
      // not ~9 µs per POST for nothing (bench/profile/executor-cost.mjs).
      request.on('close', () => {
        if (!settled) fail(new Error('Sightline transport: connection closed before the response ended'));
      });
      request.end(body);
    });
}
