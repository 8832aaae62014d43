import type { IncomingMessage } from 'node:http';
import { gunzip } from 'node:zlib';

export type BodyResult = { ok: true; body: unknown } | { ok: false; status: 400 | 413 | 415; error: string };

const TOO_LARGE = (max: number) =>
  ({ ok: false, status: 413, error: `body: larger than ${max} bytes` }) as const;

/** Reads at most `max` bytes; resolves `undefined` as soon as the body is larger. */
function readRaw(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (v: Buffer | undefined) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      resolve(v);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        // Node discards the rest of the body once the response has been sent.
        finish(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.on('end', () => finish(Buffer.concat(chunks, size)));
    req.on('error', (err) => {
      if (!done) {
        done = true;
        reject(err);
      }
    });
  });
}

function gunzipLimited(raw: Buffer, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // maxOutputLength bounds a gzip bomb: a small body that inflates past the limit.
    gunzip(raw, { maxOutputLength: max }, (err, out) => (err ? reject(err) : resolve(out)));
  });
}

/**
 * Reads, size-checks, gunzips (for `Content-Encoding: gzip`) and parses a JSON body. The limit
 * applies to the body as sent and again after gunzip. Never rejects for bad input.
 */
export async function readJsonBody(req: IncomingMessage, max: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > max) return TOO_LARGE(max);
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== '') {
    return { ok: false, status: 415, error: 'Content-Encoding: only gzip or none is accepted' };
  }
  let raw: Buffer | undefined;
  try {
    raw = await readRaw(req, max);
  } catch {
    return { ok: false, status: 400, error: 'body: the request was aborted' };
  }
  if (!raw) return TOO_LARGE(max);
  if (encoding === 'gzip') {
    try {
      raw = await gunzipLimited(raw, max);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return TOO_LARGE(max);
      return { ok: false, status: 400, error: 'body: invalid gzip data' };
    }
  }
  if (raw.length === 0) return { ok: false, status: 400, error: 'body: is empty (expected JSON)' };
  try {
    return { ok: true, body: JSON.parse(raw.toString('utf8')) as unknown };
  } catch {
    return { ok: false, status: 400, error: 'body: is not valid JSON' };
  }
}
