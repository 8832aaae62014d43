import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpClient } from '../src/transport/http-client.js';
import { createHttpExecutor } from '../src/transport/http-executor.js';
import { ResponseParser } from '../src/transport/http-response-parser.js';
import type { TransportExecutor, TransportRequest } from '../src/transport/types.js';

/**
 * The executor's HTTP/1.1 framing against raw TCP servers that answer with exactly the bytes a
 * test scripts: every framing (length, chunked, until-close), interim responses, connection
 * reuse rules, and hostile or broken answers. Connection counts come from the server side.
 */

const KEY = 'sk_live_wire_secret_value';

interface Received {
  head: string;
  body: Buffer;
  /** Index of the connection it came on, and of the request on that connection. */
  conn: number;
  nth: number;
}

interface Raw {
  base: string;
  received: Received[];
  connections: number;
  /** Connections the server saw closed by the client or itself. */
  closed: number;
  sockets: Set<net.Socket>;
}

type Respond = (socket: net.Socket, req: Received) => void;

const servers: net.Server[] = [];
const allSockets: net.Socket[] = [];

/** A server that parses each request (head + Content-Length body) and lets `respond` answer it. */
async function rawServer(respond: Respond): Promise<Raw> {
  const raw: Raw = { base: '', received: [], connections: 0, closed: 0, sockets: new Set() };
  const server = net.createServer((socket) => {
    const conn = raw.connections++;
    raw.sockets.add(socket);
    allSockets.push(socket);
    let nth = 0;
    let pending = Buffer.alloc(0);
    socket.on('error', () => {});
    socket.on('close', () => {
      raw.closed++;
      raw.sockets.delete(socket);
    });
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end === -1) return;
        const head = pending.toString('latin1', 0, end);
        const m = /\r\ncontent-length: (\d+)/i.exec(head);
        const length = m ? Number(m[1]) : 0;
        if (pending.length < end + 4 + length) return;
        const req = { head, body: pending.subarray(end + 4, end + 4 + length), conn, nth: nth++ };
        pending = pending.subarray(end + 4 + length);
        raw.received.push(req);
        respond(socket, req);
      }
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  raw.base = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return raw;
}

afterEach(async () => {
  for (const s of allSockets.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const post = (
  base: string,
  body: string | Uint8Array = '{}',
  path = '/ingest/v1/logs',
): TransportRequest => ({
  url: `${base}${path}`,
  method: 'POST',
  headers: { 'content-type': 'application/json', 'x-allstak-key': KEY },
  body,
});
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}';

/** An executor whose stale-socket rule applies after `staleAfterMs` idle (the default is 1 s). */
function executorWith(staleAfterMs: number, idleMs = 30_000): TransportExecutor {
  const client = new HttpClient({
    timeoutMs: 2000,
    maxResponseBytes: 0,
    rejectUnauthorized: undefined,
    maxSockets: 16,
    idleMs,
    staleAfterMs,
  });
  return (req) => client.request(req);
}

/** Writes `text` one byte per write with a turn of the event loop between, to split every token. */
async function trickle(socket: net.Socket, text: string): Promise<void> {
  for (const ch of Buffer.from(text, 'latin1')) {
    socket.write(Buffer.from([ch]));
    await new Promise((r) => setImmediate(r));
  }
}

describe('response framing', () => {
  it('reads a Content-Length body and reuses the connection', async () => {
    const raw = await rawServer((s) =>
      s.write('HTTP/1.1 201 Created\r\nX-A: 1\r\nContent-Length: 5\r\n\r\nhello'),
    );
    const exec = createHttpExecutor({ maxResponseBytes: 100 });
    for (let i = 0; i < 3; i++) {
      const res = await exec(post(raw.base));
      expect(res).toEqual({ status: 201, headers: { 'x-a': '1', 'content-length': '5' }, body: 'hello' });
    }
    expect(raw.connections).toBe(1);
    expect(raw.received.map((r) => r.nth)).toEqual([0, 1, 2]);
  });

  it('reads chunked bodies with extensions and trailers, split at every byte', async () => {
    const chunked =
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n' +
      '5;name=value\r\nhello\r\n1A\r\n, chunked world 0123456789\r\n0\r\nX-Trailer: t\r\n\r\n';
    const raw = await rawServer((s, req) => {
      if (req.nth === 0) void trickle(s, chunked);
      else s.write(chunked);
    });
    const exec = createHttpExecutor({ maxResponseBytes: 1000 });
    const first = await exec(post(raw.base));
    expect(first.body).toBe('hello, chunked world 0123456789');
    expect(first.headers['transfer-encoding']).toBe('chunked');
    const second = await exec(post(raw.base));
    expect(second.body).toBe('hello, chunked world 0123456789');
    expect(raw.connections).toBe(1); // the chunked framing left the socket reusable
  });

  it('reads a body without length until the server closes, then does not reuse the socket', async () => {
    const raw = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil ');
      setTimeout(() => s.end('close'), 10);
    });
    const exec = createHttpExecutor({ maxResponseBytes: 100 });
    expect((await exec(post(raw.base))).body).toBe('until close');
    expect((await exec(post(raw.base))).body).toBe('until close');
    expect(raw.connections).toBe(2);
  });

  it('honours Connection: close and HTTP/1.0 without keep-alive, reuses HTTP/1.0 with keep-alive', async () => {
    const answers = [
      'HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n',
      'HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n',
    ];
    let i = 0;
    const raw = await rawServer((s) => s.write(answers[i++]!));
    const exec = createHttpExecutor();
    for (let n = 0; n < answers.length; n++) expect((await exec(post(raw.base))).status).toBe(200);
    // close -> new socket; 1.0 -> new socket; 1.0 keep-alive -> kept for the last one
    expect(raw.received.map((r) => r.conn)).toEqual([0, 1, 2, 2]);
  });

  it('skips 1xx interim responses (100 Continue, 103 Early Hints)', async () => {
    const raw = await rawServer((s) =>
      s.write(
        'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\n' +
          'HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok',
      ),
    );
    const res = await createHttpExecutor({ maxResponseBytes: 10 })(post(raw.base));
    expect(res).toEqual({ status: 202, headers: { 'content-length': '2' }, body: 'ok' });
  });

  it('joins duplicate headers and lower-cases names; 204 has no body', async () => {
    const raw = await rawServer((s) =>
      s.write('HTTP/1.1 204 No Content\r\nX-Dup: a\r\nx-dup:  b \r\nRetry-After:\t7\r\n\r\n'),
    );
    const exec = createHttpExecutor();
    const res = await exec(post(raw.base));
    expect(res).toEqual({ status: 204, headers: { 'x-dup': 'a, b', 'retry-after': '7' } });
    await exec(post(raw.base));
    expect(raw.connections).toBe(1);
  });

  it('keeps a body only when asked and when it fits, draining it otherwise', async () => {
    const big = 'x'.repeat(5000);
    const raw = await rawServer((s, req) => {
      const body = req.body.toString() === 'big' ? big : 'small';
      s.write(`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    });
    const keeps = createHttpExecutor({ maxResponseBytes: 100 });
    expect((await keeps(post(raw.base, 'small'))).body).toBe('small');
    expect((await keeps(post(raw.base, 'big'))).body).toBeUndefined();
    expect((await keeps(post(raw.base, 'small'))).body).toBe('small'); // the big one was drained
    expect((await createHttpExecutor()(post(raw.base, 'small'))).body).toBeUndefined();
    expect(raw.connections).toBe(2); // one per executor: draining kept the socket usable
  });

  it('does not reuse a socket that got bytes beyond the response', async () => {
    const raw = await rawServer((s) => s.write(`${OK}HTTP/1.1 200 OK\r\n`));
    const exec = createHttpExecutor();
    await exec(post(raw.base));
    await exec(post(raw.base));
    expect(raw.connections).toBe(2);
  });
});

describe('malformed responses', () => {
  const cases: [string, string, RegExp][] = [
    ['garbage status line', 'NOT HTTP AT ALL\r\n\r\n', /malformed response status line/],
    ['HTTP/2 status line', 'HTTP/2 200\r\n\r\n', /malformed response status line/],
    ['non-numeric status', 'HTTP/1.1 2x0 OK\r\n\r\n', /malformed response status line/],
    ['header without colon', 'HTTP/1.1 200 OK\r\nbroken header\r\n\r\n', /malformed response header/],
    ['control byte in a header', 'HTTP/1.1 200 OK\r\nX: a\x00b\r\n\r\n', /malformed response header/],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nX: a\r\n  folded\r\n\r\n', /malformed response header/],
    ['bad content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n', /content-length/],
    [
      'conflicting content-lengths',
      'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab',
      /content-length/,
    ],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /chunk size/],
    [
      'oversized chunk size',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\n',
      /chunk size/,
    ],
    [
      'missing chunk terminator',
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabX\r\n',
      /chunk terminator/,
    ],
    ['101 switching protocols', 'HTTP/1.1 101 Switching Protocols\r\n\r\n', /unexpected 101/],
  ];
  it.each(cases)(
    'rejects a %s, destroys the socket, never echoes the key',
    async (_name, answer, message) => {
      const raw = await rawServer((s) => s.write(answer));
      const exec = createHttpExecutor({ timeoutMs: 2000 });
      const err = (await exec(post(raw.base)).catch((e: unknown) => e)) as Error;
      expect(err).toBeInstanceOf(Error);
      expect(err.message).toMatch(message);
      expect(err.message).not.toContain(KEY);
      await sleep(20);
      expect(raw.closed).toBe(1); // the client dropped the socket
      expect(raw.received).toHaveLength(1); // and did not retry: bytes came back
    },
  );

  it('rejects a short garbage answer at once, without waiting for more bytes', async () => {
    const raw = await rawServer((s) => s.write('nope'));
    const start = Date.now();
    await expect(createHttpExecutor({ timeoutMs: 5000 })(post(raw.base))).rejects.toThrow(
      /malformed response status line/,
    );
    expect(Date.now() - start).toBeLessThan(1000);
  });

  it('rejects a head over 64 KiB', async () => {
    const raw = await rawServer((s) => {
      s.write('HTTP/1.1 200 OK\r\n');
      const line = `X-Big: ${'a'.repeat(1000)}\r\n`;
      for (let i = 0; i < 70; i++) s.write(line);
    });
    await expect(createHttpExecutor()(post(raw.base))).rejects.toThrow(/response head larger than 65536/);
  });

  it('parses adversarial heads in linear time', async () => {
    // Just under the head limit: one huge header value, then many tiny headers, all split into
    // 7-byte writes. Quadratic handling of either would take seconds here.
    const value = 'b'.repeat(40_000);
    let head = `HTTP/1.1 200 OK\r\nX-Long: ${value}\r\n`;
    for (let i = 0; i < 2000; i++) head += 'a:\r\n';
    const answer = `${head}Content-Length: 0\r\n\r\n`;
    const raw = await rawServer((s) => {
      for (let i = 0; i < answer.length; i += 7) s.write(answer.slice(i, i + 7));
    });
    const start = performance.now();
    const res = await createHttpExecutor()(post(raw.base));
    expect(res.headers['x-long']).toBe(value);
    expect(res.headers.a).toBe(Array(2000).fill('').join(', '));
    expect(performance.now() - start).toBeLessThan(1500);
  });
});

describe('the parser alone', () => {
  /** Feeds `bytes` one byte per read through a reused buffer, as the socket's shared one is. */
  function feedBytewise(parser: ResponseParser, bytes: Buffer): number {
    const shared = Buffer.alloc(64);
    for (let i = 0; i < bytes.length; i++) {
      shared[0] = bytes[i]!;
      shared.fill(0x0a, 1); // stale bytes after the read must never be looked at
      const at = parser.feed(shared, 0, 1);
      if (at === -1 || parser.done) return at === -1 ? -1 : i + at;
    }
    return bytes.length;
  }

  it('stays linear on a head of ~60 KiB arriving one byte per read', () => {
    let head = `HTTP/1.1 200 OK\r\nX-Long: ${'v'.repeat(30_000)}\r\n`;
    for (let i = 0; i < 7000; i++) head += 'a:\r\n';
    const bytes = Buffer.from(`${head}Content-Length: 3\r\n\r\nabc`, 'latin1');
    const parser = new ResponseParser();
    parser.reset(10);
    const start = performance.now();
    expect(feedBytewise(parser, bytes)).toBe(bytes.length);
    expect(performance.now() - start).toBeLessThan(1000); // quadratic handling: minutes
    expect(parser.status).toBe(200);
    expect(parser.headers['x-long']).toHaveLength(30_000);
    expect(Buffer.concat(parser.body!).toString()).toBe('abc');
  });

  it('frames a chunked body with extensions and trailers fed one byte per read', () => {
    const bytes = Buffer.from(
      'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n' +
        '3;x=y\r\nabc\r\nA\r\n0123456789\r\n0\r\nT: 1\r\nU: 2\r\n\r\n',
      'latin1',
    );
    const parser = new ResponseParser();
    parser.reset(100);
    expect(feedBytewise(parser, bytes)).toBe(bytes.length);
    expect(parser.keepAlive).toBe(true);
    expect(Buffer.concat(parser.body!).toString()).toBe('abc0123456789');
  });

  it('accepts bare-LF line ends in a head', () => {
    const bytes = Buffer.from('HTTP/1.1 200 OK\nX-A: 1\nContent-Length: 1\n\nz', 'latin1');
    const parser = new ResponseParser();
    parser.reset(10);
    expect(parser.feed(bytes, 0, bytes.length)).toBe(bytes.length);
    expect(parser.headers).toEqual({ 'x-a': '1', 'content-length': '1' });
  });
});

describe('connection failures', () => {
  it('rejects a reset before any byte with ECONNRESET on a fresh socket, without retrying', async () => {
    const raw = await rawServer((s) => s.resetAndDestroy());
    const err = (await createHttpExecutor()(post(raw.base)).catch((e: unknown) => e)) as Error & {
      code?: string;
    };
    expect(err.code).toBe('ECONNRESET');
    expect(raw.received).toHaveLength(1);
  });

  it('re-sends once on a new socket when a reused idle socket turns out to be stale', async () => {
    // The second request on any connection finds it "already closed by the server".
    const raw = await rawServer((s, req) => (req.nth === 0 ? s.write(OK) : s.destroy()));
    const exec = executorWith(0);
    expect((await exec(post(raw.base, 'one'))).status).toBe(200);
    expect((await exec(post(raw.base, 'two'))).status).toBe(200);
    expect(raw.received.map((r) => [r.conn, r.nth, r.body.toString()])).toEqual([
      [0, 0, 'one'],
      [0, 1, 'two'],
      [1, 0, 'two'],
    ]);
  });

  it('re-sends at most once', async () => {
    const raw = await rawServer((s, req) =>
      req.conn === 0 && req.nth === 0 ? s.write(OK) : s.resetAndDestroy(),
    );
    const exec = executorWith(0);
    await exec(post(raw.base));
    const err = (await exec(post(raw.base)).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code).toBe('ECONNRESET');
    expect(raw.received).toHaveLength(3); // the first, then the stale attempt and one re-send
  });

  it('re-sends only from a socket idle long enough for a server keep-alive timer to have closed it', async () => {
    // A reset on a socket reused right away answers that very request: the transport decides
    // about retrying it (with its budget); an extra attempt here would be invisible to it.
    const raw = await rawServer((s, req) => (req.nth === 0 ? s.write(OK) : s.resetAndDestroy()));
    const exec = executorWith(60);
    await exec(post(raw.base));
    const err = (await exec(post(raw.base)).catch((e: unknown) => e)) as Error & { code?: string };
    expect(err.code).toBe('ECONNRESET');
    expect(raw.received.map((r) => [r.conn, r.nth])).toEqual([
      [0, 0],
      [0, 1],
    ]);
    await exec(post(raw.base)); // conn 1, then idle past staleAfterMs
    await sleep(80);
    expect((await exec(post(raw.base))).status).toBe(200);
    expect(raw.received.map((r) => [r.conn, r.nth]).slice(2)).toEqual([
      [1, 0],
      [1, 1],
      [2, 0],
    ]);
  });

  it('with the default settings, does not re-send on a socket reused at once', async () => {
    const raw = await rawServer((s, req) => (req.nth === 0 ? s.write(OK) : s.destroy()));
    const exec = createHttpExecutor();
    await exec(post(raw.base));
    await expect(exec(post(raw.base))).rejects.toThrow(/closed before any response byte/);
    expect(raw.received).toHaveLength(2);
  });

  it('never re-sends once a response byte arrived, even on a socket that may be stale', async () => {
    const raw = await rawServer((s, req) => {
      if (req.nth === 0) s.write(OK);
      else {
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc');
        setTimeout(() => s.resetAndDestroy(), 10);
      }
    });
    const exec = executorWith(0);
    await exec(post(raw.base));
    await expect(exec(post(raw.base))).rejects.toThrow();
    await sleep(20);
    expect(raw.received).toHaveLength(2);
  });

  it('closes an idle socket before the server says it would (Keep-Alive: timeout)', async () => {
    const raw = await rawServer((s, req) =>
      s.write(
        `HTTP/1.1 200 OK\r\nKeep-Alive: timeout=${req.conn === 0 ? 1 : 0}\r\nContent-Length: 0\r\n\r\n`,
      ),
    );
    const exec = executorWith(1000);
    const start = Date.now();
    await exec(post(raw.base));
    while (raw.closed === 0 && Date.now() - start < 2000) await sleep(5);
    // timeout=1: kept for half of it, closed by the client well before the server's second.
    expect(Date.now() - start).toBeGreaterThanOrEqual(400);
    expect(Date.now() - start).toBeLessThan(950);
    await exec(post(raw.base)); // conn 1 answers timeout=0: nothing is kept
    await exec(post(raw.base));
    expect(raw.received.map((r) => r.conn)).toEqual([0, 1, 2]);
  });

  it('rejects a response cut short by a clean close', async () => {
    const raw = await rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc'));
    await expect(createHttpExecutor()(post(raw.base))).rejects.toThrow(/closed before the response ended/);
  });

  it('drops an idle socket the server closed, and the next request opens a new one', async () => {
    const raw = await rawServer((s) => {
      s.write(OK);
      setTimeout(() => s.end(), 5);
    });
    const exec = createHttpExecutor();
    await exec(post(raw.base));
    await sleep(40);
    expect((await exec(post(raw.base))).status).toBe(200);
    // No stale attempt: the closed socket had already left the pool.
    expect(raw.received.map((r) => [r.conn, r.nth])).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });

  it('drops an idle socket that receives unsolicited bytes', async () => {
    const raw = await rawServer((s, req) => {
      s.write(OK);
      if (req.nth === 0) setTimeout(() => s.write('HTTP/1.1 200 OK\r\n'), 5);
    });
    const exec = createHttpExecutor();
    await exec(post(raw.base));
    await sleep(40);
    expect((await exec(post(raw.base))).status).toBe(200);
    expect(raw.received.map((r) => r.conn)).toEqual([0, 1]);
  });
});
