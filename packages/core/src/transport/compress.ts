import { constants, gzip } from 'node:zlib';
import type { TransportRequest } from './types.js';

// Telemetry JSON is repetitive: the fastest level packs a batch of spans within a few percent
// of the default level's size for about a third less CPU, and that CPU is the host's.
const GZIP_OPTIONS = { level: constants.Z_BEST_SPEED };

function gzipAsync(input: Uint8Array): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // Async zlib runs on the libuv thread pool; gzipSync would block the host's event loop.
    gzip(input, GZIP_OPTIONS, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

function hasHeader(headers: Record<string, string>, lowerName: string): boolean {
  for (const name of Object.keys(headers)) if (name.toLowerCase() === lowerName) return true;
  return false;
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
    packed = await gzipAsync(raw);
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
