import { constants, gzip, gzipSync } from 'node:zlib';
import { isLoopbackHost } from './loopback.js';
import type { TransportCompression, TransportRequest } from './types.js';

// Telemetry JSON is repetitive: the fastest level packs a batch of spans within a few percent
// of the default level's size for about a third less CPU, and that CPU is the host's.
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED };

/**
 * Bodies up to this size are compressed on the calling thread. A thread-pool round trip costs
 * more CPU than compressing a typical batch (a 40 KB batch of spans: ~130 µs inline against ~260 µs
 * all threads counted, `bench/profile/gzip-cost.mjs`), and the inline call is bounded like the
 * `JSON.stringify` before it. Larger bodies (a huge error event) still go to the thread pool so
 * one of them cannot stall the event loop.
 */
const INLINE_MAX_BYTES = 64 * 1024;

function gzipBody(input: Uint8Array): Promise<Buffer> | Buffer {
  if (input.byteLength <= INLINE_MAX_BYTES) return gzipSync(input, GZIP_OPTIONS);
  return new Promise((resolve, reject) => {
    gzip(input, GZIP_OPTIONS, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

function hasHeader(headers: Record<string, string>, lowerName: string): boolean {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === lowerName) return true;
  return false;
}

/**
 * Whether bodies to `url` are worth compressing. `auto` skips loopback hosts: a local collector
 * or agent gets the bytes for free, and gzip would only spend the host's CPU (about 1.3 µs per
 * span, `bench/profile/gzip-cost.mjs`). Decisions are cached per URL (exporters post to a
 * handful); the cache is bounded in case URLs carry ids.
 */
export function createCompressionPolicy(mode: TransportCompression): (url: string) => boolean {
  if (mode === 'gzip') return () => true;
  if (mode === 'none') return () => false;
  const seen = new Map<string, boolean>();
  return (url) => {
    let yes = seen.get(url);
    if (yes === undefined) {
      yes = !isLoopbackHost(url);
      if (seen.size >= 64) seen.clear();
      seen.set(url, yes);
    }
    return yes;
  };
}

/**
 * Returns `req` with a gzipped body and `content-encoding: gzip` when the body is at least
 * `threshold` bytes and gzip makes it smaller; otherwise `req` unchanged. A compression
 * failure also leaves it unchanged: sending uncompressed beats dropping.
 */
export async function maybeGzip(req: TransportRequest, threshold: number): Promise<TransportRequest> {
  const raw = typeof req.body === 'string' ? Buffer.from(req.body, 'utf8') : req.body;
  if (raw.byteLength < threshold || hasHeader(req.headers, 'content-encoding')) return req;
  let packed: Buffer;
  try {
    packed = await gzipBody(raw);
  } catch {
    return req;
  }
  if (packed.byteLength >= raw.byteLength) return req;
  return {
    url: req.url,
    method: req.method,
    headers: { ...req.headers, 'content-encoding': 'gzip' },
    body: packed,
  };
}
