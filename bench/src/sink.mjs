// The ingest sink: one process, one HTTP listener per variant (so counts can never mix), that
// accepts every backend's wire format the variants speak and counts what arrived. It answers
// 200 to everything, so no SDK ever backs off or retries because of it.
//
// Driven over IPC by the harness: { cmd: 'open', id } → { port }, { cmd: 'counts' } → counters,
// { cmd: 'close', id }. Run standalone (`node sink.mjs`) it opens one listener and prints it.
import http from 'node:http';
import { gunzipSync, inflateSync } from 'node:zlib';

const listeners = new Map();

function newCounter() {
  return { requests: 0, bytes: 0, items: 0, serverUnits: 0, kinds: {}, badBodies: 0, firstAt: 0, lastAt: 0 };
}

function add(c, kind, n) {
  c.kinds[kind] = (c.kinds[kind] ?? 0) + n;
  c.items += n;
}

function decode(req, buf) {
  const enc = req.headers['content-encoding'];
  if (enc === 'gzip') return gunzipSync(buf);
  if (enc === 'deflate') return inflateSync(buf);
  return buf;
}

/** AllStak: /ingest/v1/<category>. One record per request, or { spans | requests | queries }. */
function countAllStak(c, category, body) {
  const json = JSON.parse(body.toString('utf8'));
  if (category === 'spans') {
    const spans = json.spans ?? [];
    add(c, 'allstak.spans', spans.length);
    let server = 0;
    for (const s of spans) if (s.tags?.['span.kind'] === 'server') server++;
    if (server > 0) c.kinds['allstak.spans.server'] = (c.kinds['allstak.spans.server'] ?? 0) + server;
  } else if (category === 'http-requests') {
    const records = json.requests ?? [];
    add(c, 'allstak.http-requests', records.length);
    // One inbound record per request whatever the trace sampling: the unit delivery is checked by.
    for (const r of records) if (r.direction === 'inbound') c.serverUnits++;
  } else if (category === 'db') add(c, 'allstak.db', (json.queries ?? []).length);
  else add(c, `allstak.${category}`, 1);
}

/** OTLP/HTTP JSON: resourceSpans[].scopeSpans[].spans[]; kind 2 = SERVER. */
function countOtlp(c, req, body) {
  if (!String(req.headers['content-type'] ?? '').includes('json')) {
    add(c, 'otlp.protobuf-requests', 1);
    return;
  }
  const json = JSON.parse(body.toString('utf8'));
  for (const rs of json.resourceSpans ?? [])
    for (const ss of rs.scopeSpans ?? [])
      for (const s of ss.spans ?? []) {
        add(c, 'otlp.spans', 1);
        if (s.kind === 2 || s.kind === 'SPAN_KIND_SERVER') c.serverUnits++;
      }
}

/** Sentry envelope: a header line, then (item header, payload) pairs. */
function countEnvelope(c, body) {
  const text = body.toString('utf8');
  let pos = text.indexOf('\n');
  if (pos === -1) return;
  pos++;
  while (pos < text.length) {
    let nl = text.indexOf('\n', pos);
    if (nl === -1) nl = text.length;
    const headerLine = text.slice(pos, nl);
    pos = nl + 1;
    if (headerLine.trim() === '') continue;
    const header = JSON.parse(headerLine);
    let payloadEnd;
    if (typeof header.length === 'number') payloadEnd = pos + header.length;
    else {
      payloadEnd = text.indexOf('\n', pos);
      if (payloadEnd === -1) payloadEnd = text.length;
    }
    const type = String(header.type);
    if (type === 'span') {
      // Span streaming (Sentry 10+ "span v2"): one item holds a trace segment's spans; the
      // segment (root) span stands for the request.
      const payload = JSON.parse(text.slice(pos, payloadEnd));
      for (const s of payload.items ?? []) {
        add(c, 'sentry.spans', 1);
        if (s.is_segment === true) c.serverUnits++;
      }
    } else if (type === 'log')
      add(c, 'sentry.log', typeof header.item_count === 'number' ? header.item_count : 1);
    else add(c, `sentry.${type}`, 1);
    if (type === 'transaction') c.serverUnits++;
    pos = payloadEnd + 1;
  }
}

function handle(c, req, res, buf) {
  const url = req.url ?? '/';
  const path = url.split('?')[0];
  let reply = '{}';
  try {
    const body = buf.length > 0 ? decode(req, buf) : buf;
    const allstak = path.indexOf('/ingest/v1/');
    if (allstak !== -1) countAllStak(c, path.slice(allstak + 11), body);
    else if (path.endsWith('/v1/traces')) countOtlp(c, req, body);
    else if (/\/v0\.[45]\/traces$/.test(path)) {
      // The msgpack body is not decoded: dd-trace states the trace count in a header.
      const traces = Number(req.headers['x-datadog-trace-count'] ?? 0);
      add(c, 'datadog.traces', traces);
      c.serverUnits += traces;
      reply = '{"rate_by_service":{}}';
    } else if (/\/api\/[^/]+\/envelope\/?$/.test(path)) countEnvelope(c, body);
    else add(c, `other ${req.method} ${path.slice(0, 60)}`, 1);
  } catch {
    c.badBodies++;
  }
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(reply) });
  res.end(reply);
}

export function openListener(id) {
  const counter = newCounter();
  const server = http.createServer({ keepAliveTimeout: 30_000 }, (req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (d) => {
      chunks.push(d);
      size += d.length;
    });
    req.on('end', () => {
      const now = Date.now();
      counter.requests++;
      counter.bytes += size;
      counter.firstAt ||= now;
      counter.lastAt = now;
      handle(counter, req, res, chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      listeners.set(id, { server, counter });
      resolve(server.address().port);
    });
  });
}

function closeListener(id) {
  const l = listeners.get(id);
  if (!l) return Promise.resolve();
  return new Promise((resolve) => {
    l.server.close(() => resolve());
    l.server.closeAllConnections();
  });
}

function counts() {
  const out = {};
  for (const [id, l] of listeners) out[id] = l.counter;
  return out;
}

if (process.send) {
  process.on('message', async (msg) => {
    try {
      if (msg.cmd === 'open') process.send({ seq: msg.seq, port: await openListener(msg.id) });
      else if (msg.cmd === 'counts') process.send({ seq: msg.seq, counts: counts() });
      else if (msg.cmd === 'close') {
        await closeListener(msg.id);
        process.send({ seq: msg.seq, ok: true });
      } else if (msg.cmd === 'exit') process.exit(0);
    } catch (err) {
      process.send({ seq: msg.seq, error: String(err?.message ?? err) });
    }
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const port = await openListener('standalone');
  console.log(`sink listening on http://127.0.0.1:${port}`);
  setInterval(() => console.log(JSON.stringify(counts().standalone)), 5000).unref();
}
