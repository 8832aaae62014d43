import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local ErrSight ingest (`POST /api/v1/events`) enforcing the documented rules of
 * ErrSight-OSS `events_controller.rb` / `base_controller.rb`: `X-API-Key` (elp_/elr_ + 48 hex;
 * 401 unknown, 403 read key), 413 past 512 KB (Content-Length, then bytes read), 400 for bad
 * JSON, 422 past 100 events, 202 `{status, queued}`. Also 422 for a malformed event (not an
 * object, or without a non-empty string `message`), and scripted answers (429 + Retry-After, ...).
 * Every accepted event is checked against the documented shape; deviations land in `invalid`.
 */

export const WRITE_KEY = `elp_${'0123456789abcdef'.repeat(3)}`;
export const READ_KEY = `elr_${'fedcba9876543210'.repeat(3)}`;
const KEY_FORMAT = /^(elp|elr)_[0-9a-f]{48}$/;
const LEVELS = new Set(['debug', 'info', 'warning', 'error', 'fatal']);
const TOP_LEVEL = new Set([
  'level',
  'message',
  'backtrace',
  'environment',
  'metadata',
  'timestamp',
  'occurred_at',
  'fingerprint',
  'user',
  'release',
  'breadcrumbs',
  'tags',
]);
const FRAME_KEYS = new Set([
  'filename',
  'abs_path',
  'lineno',
  'function',
  'in_app',
  'pre_context',
  'context_line',
  'post_context',
]);

export interface Attempt {
  status: number;
  events: number;
  bytes: number;
  at: number;
  headers: IncomingHttpHeaders;
}

export interface Scripted {
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface ErrSightServer {
  url: string;
  /** Accepted events, in arrival order. */
  events: Record<string, unknown>[];
  /** Every request with the status it got. */
  attempts: Attempt[];
  invalid: string[];
  /** Answers the next requests with these responses instead of processing them (status 0: process normally). */
  script(...responses: Scripted[]): void;
  waitFor<T>(read: () => T | undefined | false, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

function checkEvent(e: Record<string, unknown>, errs: string[]): void {
  for (const k of Object.keys(e))
    if (!TOP_LEVEL.has(k)) errs.push(`unknown top-level key ${k} (the server drops it)`);
  if (!LEVELS.has(e.level as string)) errs.push(`level ${String(e.level)}`);
  if (
    e.timestamp !== undefined &&
    (typeof e.timestamp !== 'string' || Number.isNaN(Date.parse(e.timestamp)) || !e.timestamp.endsWith('Z'))
  ) {
    errs.push('timestamp');
  }
  if (typeof e.message === 'string' && e.message.length > 10_000) errs.push('message over 10000 chars');
  const m = e.metadata as Record<string, unknown> | undefined;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) errs.push('metadata not an object');
  else {
    if (Object.keys(m).length > 50) errs.push('metadata over 50 keys');
    const frames = m.exception_frames;
    if (frames !== undefined) {
      if (!Array.isArray(frames)) errs.push('exception_frames');
      else
        for (const f of frames as Record<string, unknown>[]) {
          for (const k of Object.keys(f)) if (!FRAME_KEYS.has(k)) errs.push(`frame key ${k}`);
          if (typeof f.filename !== 'string' || f.filename === '' || typeof f.in_app !== 'boolean')
            errs.push('frame filename/in_app');
        }
    }
  }
  if (e.tags !== undefined && Object.keys(e.tags as object).length > 30) errs.push('over 30 tags');
  if (e.breadcrumbs !== undefined && (e.breadcrumbs as unknown[]).length > 50)
    errs.push('over 50 breadcrumbs');
}

export async function startErrSightServer(
  limits: { maxBytes?: number; maxBatch?: number } = {},
): Promise<ErrSightServer> {
  const maxBytes = limits.maxBytes ?? 512 * 1024;
  const maxBatch = limits.maxBatch ?? 100;
  const events: Record<string, unknown>[] = [];
  const attempts: Attempt[] = [];
  const invalid: string[] = [];
  const scripted: Scripted[] = [];

  const server: Server = createServer((req, res) => {
    const answer = (
      status: number,
      body: unknown,
      headers: Record<string, string> = {},
      n = 0,
      bytes = 0,
    ) => {
      attempts.push({ status, events: n, bytes, at: Date.now(), headers: req.headers });
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    if (req.method !== 'POST' || req.url !== '/api/v1/events') return answer(404, { error: 'Not found' });
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || !KEY_FORMAT.test(key) || (key !== WRITE_KEY && key !== READ_KEY)) {
      return answer(401, { error: 'Invalid or missing API key' });
    }
    if (key === READ_KEY) return answer(403, { error: 'API key lacks required scope: write' });
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
      req.resume();
      return answer(
        413,
        { error: 'Payload too large (max 512KB)', code: 'PAYLOAD_TOO_LARGE' },
        {},
        0,
        Number(req.headers['content-length']),
      );
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      chunks.push(c);
    });
    req.on('end', () => {
      const next = scripted.shift();
      if (next && next.status !== 0) return answer(next.status, next.body ?? {}, next.headers, 0, size);
      if (size > maxBytes)
        return answer(
          413,
          { error: 'Payload too large (max 512KB)', code: 'PAYLOAD_TOO_LARGE' },
          {},
          0,
          size,
        );
      let payload: unknown;
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        return answer(400, { error: 'Invalid JSON payload', code: 'INVALID_JSON' }, {}, 0, size);
      }
      const list = Array.isArray(payload) ? payload : [payload];
      if (list.length > maxBatch)
        return answer(422, { error: `Batch size exceeds limit of ${maxBatch}` }, {}, list.length, size);
      for (const e of list) {
        if (typeof e !== 'object' || e === null || typeof e.message !== 'string' || e.message.trim() === '') {
          return answer(422, { error: 'Invalid event' }, {}, list.length, size);
        }
      }
      const errs: string[] = [];
      for (const e of list) checkEvent(e, errs);
      invalid.push(...errs);
      events.push(...list);
      answer(202, { status: 'accepted', queued: list.length }, {}, list.length, size);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    events,
    attempts,
    invalid,
    script: (...r) => {
      scripted.push(...r);
    },
    async waitFor<T>(read: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = read();
        if (v !== undefined && v !== false) return v;
        if (Date.now() > end) throw new Error('errsight server: timed out waiting');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    stop: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
