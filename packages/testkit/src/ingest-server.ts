import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { gunzip } from 'node:zlib';
import { validateWireBody } from '@sightline/core/wire';
import { ReceivedStore } from './received.js';
import type {
  Behaviour,
  BehaviourFn,
  IngestKind,
  IngestServer,
  IngestServerOptions,
  ReceivedRequest,
} from './types.js';

const PREFIX = '/ingest/v1/';
const KINDS = new Set<string>([
  'errors',
  'logs',
  'spans',
  'http-requests',
  'db',
  'sessions/start',
  'sessions/end',
  'heartbeat',
  'releases',
]);
const GARBAGE = Buffer.from('\u0000\u0001\u0002 this is not HTTP \u00ff\u00fe\r\n\r\n', 'latin1');

interface Queued {
  remaining: number;
  b: Behaviour;
  kind?: IngestKind;
}

/**
 * Starts a real AllStak-compatible ingest server on 127.0.0.1 for tests.
 * @example
 * const server = await startIngestServer({ apiKey: TEST_API_KEY });
 * const spans = await server.waitFor('spans', 2);
 * await server.stop();
 */
export async function startIngestServer(options: IngestServerOptions = {}): Promise<IngestServer> {
  const apiKey = options.apiKey;
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const store = new ReceivedStore();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const timers = new Set<NodeJS.Timeout>();
  const queued: Queued[] = [];
  const standing = new Map<IngestKind | '*', Behaviour | BehaviourFn>();
  let stopped = false;
  let listening = false;

  const server: Server = createServer((req, res) => {
    readBody(req, maxBodyBytes).then(
      (raw) => void handle(req, res, raw),
      () => req.socket.destroy(),
    );
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: IncomingMessage, res: ServerResponse, raw: Buffer | 'too-large'): Promise<void> {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const suffix = path.startsWith(PREFIX) ? path.slice(PREFIX.length) : '';
    const gzip = /^\s*gzip\s*$/i.test(String(req.headers['content-encoding'] ?? ''));
    const rec: ReceivedRequest = {
      method: req.method ?? '',
      path,
      headers: { ...req.headers },
      gzip,
      rawBytes: raw === 'too-large' ? maxBodyBytes + 1 : raw.length,
      body: undefined,
      at: 0,
      kind: KINDS.has(suffix) ? (suffix as IngestKind) : undefined,
    };
    let decodeError: string | undefined;
    if (raw === 'too-large') decodeError = 'too-large';
    else {
      const decoded = await decode(raw, gzip, maxBodyBytes);
      rec.body = decoded.body;
      decodeError = decoded.error;
    }
    rec.at = Date.now();
    store.attempts.push(rec);

    if (decodeError === 'too-large') answer(res, rec, 413, { error: 'body too large' });
    else if (apiKey !== undefined && req.headers['x-allstak-key'] !== apiKey) {
      // Never echo the key (or what was sent instead).
      answer(res, rec, 401, { error: 'missing or invalid X-AllStak-Key' });
    } else if (!rec.kind) answer(res, rec, 404, { error: 'unknown ingest path' });
    else if (rec.method !== 'POST') answer(res, rec, 405, { error: 'use POST' });
    else apply(pick(rec), rec, req, res, decodeError);
  }

  function pick(rec: ReceivedRequest): Behaviour {
    // Kind-specific scripted answers win over global ones, and both over standing behaviours.
    let j = queued.findIndex((e) => e.kind === rec.kind);
    if (j === -1) j = queued.findIndex((e) => e.kind === undefined);
    if (j !== -1) {
      const e = queued[j]!;
      if (--e.remaining <= 0) queued.splice(j, 1);
      return e.b;
    }
    const s = standing.get(rec.kind!) ?? standing.get('*') ?? 'ok';
    return typeof s === 'function' ? s(rec) : s;
  }

  function apply(
    b: Behaviour,
    rec: ReceivedRequest,
    req: IncomingMessage,
    res: ServerResponse,
    decodeError: string | undefined,
  ): void {
    if (req.socket.destroyed) return;
    if (b === 'ok') {
      const error = check(rec, decodeError);
      if (error) answer(res, rec, 400, { error });
      else {
        store.accept(rec);
        answer(res, rec, 200, {});
      }
      return;
    }
    if (b === 'reset') {
      const s = req.socket as Socket & { resetAndDestroy?: () => void };
      if (typeof s.resetAndDestroy === 'function') s.resetAndDestroy();
      else s.destroy();
      return;
    }
    if (b === 'garbage') {
      req.socket.end(GARBAGE);
      return;
    }
    if (b === 'hang') {
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if ('delayMs' in b) {
      const t = setTimeout(() => {
        timers.delete(t);
        apply(b.then ?? 'ok', rec, req, res, decodeError);
      }, b.delayMs);
      t.unref();
      timers.add(t);
      return;
    }
    const ok2xx = b.status >= 200 && b.status < 300;
    if (ok2xx && !check(rec, decodeError)) store.accept(rec);
    rec.status = b.status;
    res.writeHead(b.status, { 'content-type': 'application/json', ...b.headers });
    res.end(b.body ?? (ok2xx ? '{}' : JSON.stringify({ error: `scripted ${b.status}` })));
  }

  /** Validates and records an invalid body; returns the error, if any. */
  function check(rec: ReceivedRequest, decodeError: string | undefined): string | undefined {
    const error =
      decodeError ??
      (() => {
        const r = validateWireBody(rec.path, rec.body);
        return r.ok ? undefined : r.error;
      })();
    if (error) store.invalid.push({ path: rec.path, error, body: rec.body });
    return error;
  }

  function answer(res: ServerResponse, rec: ReceivedRequest, status: number, body: object): void {
    rec.status = status;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', onError);
        listening = true;
        resolve();
      });
    });
  }

  function close(): Promise<void> {
    for (const t of timers) clearTimeout(t);
    timers.clear();
    hanging.clear();
    if (!listening) {
      for (const s of sockets) s.destroy();
      return Promise.resolve();
    }
    listening = false;
    return new Promise((resolve) => {
      server.close(() => resolve());
      for (const s of sockets) s.destroy();
    });
  }

  await listen(options.port ?? 0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests: store.requests,
    attempts: store.attempts,
    invalid: store.invalid,
    items: (kind) => store.items(kind),
    waitFor: (kind, want, timeoutMs) => store.waitFor(kind, want, timeoutMs),
    respond(b, kind) {
      standing.set(kind ?? '*', b);
    },
    respondNext(n, b, kind) {
      if (n > 0) queued.push({ remaining: n, b, kind });
    },
    clear: () => store.clear(),
    down: () => close(),
    async up() {
      if (stopped) throw new Error('ingest server was stopped');
      if (!listening) await listen(port);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      store.failAll('the ingest server was stopped');
      await close();
    },
  };
}

/** Reads the whole body, or 'too-large' once more than `max` bytes arrived (the rest is drained). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | 'too-large'> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= max) chunks.push(c);
    });
    req.on('end', () => resolve(size > max ? 'too-large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decode(raw: Buffer, gzip: boolean, max: number): Promise<{ body: unknown; error?: string }> {
  const parse = (buf: Buffer) => {
    const text = buf.toString('utf8');
    try {
      return { body: JSON.parse(text) as unknown };
    } catch {
      return { body: text, error: 'body: invalid JSON' };
    }
  };
  if (!gzip) return Promise.resolve(parse(raw));
  return new Promise((resolve) => {
    gunzip(raw, { maxOutputLength: max }, (err, out) => {
      if (!err) return resolve(parse(out));
      const tooLarge = (err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE';
      resolve({ body: undefined, error: tooLarge ? 'too-large' : 'body: invalid gzip' });
    });
  });
}
