import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the OAP HTTP receiver (port 12800): `POST /v3/segments` (JSON array of
 * SegmentObject), `/v3/segment` (one), `/v3/management/reportProperties` and
 * `/v3/management/keepAlive`, answering `{}` like the OAP. Every body is checked against the
 * Tracing.proto / Management.proto JSON shape; anything off lands in `invalid`.
 */

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export interface FakeOap {
  url: string;
  requests: ReceivedRequest[];
  segments(): Record<string, unknown>[];
  properties(): Record<string, unknown>[];
  keepAlives(): Record<string, unknown>[];
  invalid: string[];
  /** Answers the next requests to `path` with these statuses (then 200 again). */
  failNext(path: string, ...statuses: number[]): void;
  waitFor<T>(read: () => T | undefined, timeoutMs?: number): Promise<T>;
  stop(): Promise<void>;
}

const SPAN_TYPES = new Set(['Entry', 'Exit', 'Local']);
const LAYERS = new Set(['Unknown', 'Database', 'RPCFramework', 'Http', 'MQ', 'Cache', 'FAAS']);
const REF_TYPES = new Set(['CrossProcess', 'CrossThread']);

const isStr = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => Number.isInteger(v);

function checkKeys(o: Record<string, unknown>, allowed: string[], where: string, errs: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) errs.push(`${where}: unknown field ${k}`);
}

function checkPairs(v: unknown, where: string, errs: string[]): void {
  if (!Array.isArray(v)) return void errs.push(`${where}: not an array`);
  for (const p of v) {
    if (
      typeof p !== 'object' ||
      p === null ||
      !isStr(p.key) ||
      !isStr(p.value) ||
      Object.keys(p).length !== 2
    ) {
      errs.push(`${where}: bad pair ${JSON.stringify(p)}`);
    }
  }
}

export function checkSegment(s: unknown): string[] {
  const errs: string[] = [];
  if (typeof s !== 'object' || s === null) return ['segment: not an object'];
  const seg = s as Record<string, unknown>;
  checkKeys(
    seg,
    ['traceId', 'traceSegmentId', 'spans', 'service', 'serviceInstance', 'isSizeLimited'],
    'segment',
    errs,
  );
  for (const k of ['traceId', 'traceSegmentId', 'service', 'serviceInstance']) {
    if (!isStr(seg[k]) || seg[k] === '') errs.push(`segment.${k}: not a non-empty string`);
  }
  if (typeof seg.isSizeLimited !== 'boolean') errs.push('segment.isSizeLimited: not a boolean');
  if (!Array.isArray(seg.spans) || seg.spans.length === 0) return [...errs, 'segment.spans: empty'];
  const ids = new Set<number>();
  for (const raw of seg.spans as Record<string, unknown>[]) {
    const w = `span ${String(raw.spanId)}`;
    checkKeys(
      raw,
      [
        'spanId',
        'parentSpanId',
        'startTime',
        'endTime',
        'refs',
        'operationName',
        'peer',
        'spanType',
        'spanLayer',
        'componentId',
        'isError',
        'tags',
        'logs',
        'skipAnalysis',
      ],
      w,
      errs,
    );
    if (!isInt(raw.spanId) || (raw.spanId as number) < 0) errs.push(`${w}: spanId`);
    if (ids.has(raw.spanId as number)) errs.push(`${w}: duplicate spanId`);
    ids.add(raw.spanId as number);
    if (!isInt(raw.parentSpanId) || (raw.parentSpanId as number) < -1) errs.push(`${w}: parentSpanId`);
    if (!isInt(raw.startTime) || !isInt(raw.endTime) || (raw.endTime as number) < (raw.startTime as number))
      errs.push(`${w}: times`);
    if (!isStr(raw.operationName) || raw.operationName === '') errs.push(`${w}: operationName`);
    if (!SPAN_TYPES.has(raw.spanType as string)) errs.push(`${w}: spanType`);
    if (!LAYERS.has(raw.spanLayer as string)) errs.push(`${w}: spanLayer`);
    if (!isInt(raw.componentId)) errs.push(`${w}: componentId`);
    if (typeof raw.isError !== 'boolean' || typeof raw.skipAnalysis !== 'boolean')
      errs.push(`${w}: booleans`);
    if (raw.spanType === 'Exit' && !isStr(raw.peer)) errs.push(`${w}: Exit without peer`);
    checkPairs(raw.tags, `${w}.tags`, errs);
    if (!Array.isArray(raw.logs)) errs.push(`${w}: logs`);
    else
      for (const l of raw.logs as Record<string, unknown>[]) {
        if (!isInt(l.time)) errs.push(`${w}: log time`);
        checkPairs(l.data, `${w}.log`, errs);
      }
    if (!Array.isArray(raw.refs)) errs.push(`${w}: refs`);
    else
      for (const r of raw.refs as Record<string, unknown>[]) {
        checkKeys(
          r,
          [
            'refType',
            'traceId',
            'parentTraceSegmentId',
            'parentSpanId',
            'parentService',
            'parentServiceInstance',
            'parentEndpoint',
            'networkAddressUsedAtPeer',
          ],
          `${w}.ref`,
          errs,
        );
        if (!REF_TYPES.has(r.refType as string)) errs.push(`${w}: refType`);
        if (!isInt(r.parentSpanId)) errs.push(`${w}: ref parentSpanId`);
        for (const k of [
          'traceId',
          'parentTraceSegmentId',
          'parentService',
          'parentServiceInstance',
          'parentEndpoint',
          'networkAddressUsedAtPeer',
        ]) {
          if (!isStr(r[k])) errs.push(`${w}: ref.${k}`);
        }
      }
  }
  if (!ids.has(0)) errs.push('segment: no span 0');
  return errs;
}

function checkInstance(b: unknown, withProps: boolean): string[] {
  if (typeof b !== 'object' || b === null) return ['management: not an object'];
  const o = b as Record<string, unknown>;
  const errs: string[] = [];
  checkKeys(
    o,
    withProps
      ? ['service', 'serviceInstance', 'properties', 'layer']
      : ['service', 'serviceInstance', 'layer'],
    'management',
    errs,
  );
  if (!isStr(o.service) || !isStr(o.serviceInstance)) errs.push('management: service/serviceInstance');
  if (withProps) checkPairs(o.properties, 'properties', errs);
  return errs;
}

export async function startFakeOap(): Promise<FakeOap> {
  const requests: ReceivedRequest[] = [];
  const invalid: string[] = [];
  const failures = new Map<string, number[]>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = req.url ?? '';
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        invalid.push(`${path}: not JSON`);
        res.writeHead(400).end();
        return;
      }
      const status = failures.get(path)?.shift();
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      let errs: string[] = [];
      if (req.method !== 'POST') errs = [`${path}: method ${req.method}`];
      else if (req.headers['content-type'] !== 'application/json') errs = [`${path}: content-type`];
      else if (path === '/v3/segments') {
        if (!Array.isArray(body) || body.length === 0) errs = ['segments: not a non-empty array'];
        else for (const s of body) errs.push(...checkSegment(s));
      } else if (path === '/v3/segment') errs = checkSegment(body);
      else if (path === '/v3/management/reportProperties') errs = checkInstance(body, true);
      else if (path === '/v3/management/keepAlive') errs = checkInstance(body, false);
      else errs = [`${path}: unknown route`];
      if (errs.length > 0) {
        invalid.push(...errs);
        res.writeHead(400).end();
        return;
      }
      requests.push({ path, headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const bodies = (path: string) =>
    requests.filter((r) => r.path === path).map((r) => r.body as Record<string, unknown>);
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    invalid,
    segments: () => [
      ...requests
        .filter((r) => r.path === '/v3/segments')
        .flatMap((r) => r.body as Record<string, unknown>[]),
      ...bodies('/v3/segment'),
    ],
    properties: () => bodies('/v3/management/reportProperties'),
    keepAlives: () => bodies('/v3/management/keepAlive'),
    failNext: (path, ...statuses) => {
      failures.set(path, [...(failures.get(path) ?? []), ...statuses]);
    },
    async waitFor<T>(read: () => T | undefined, timeoutMs = 5000): Promise<T> {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = read();
        if (v !== undefined && v !== false) return v;
        if (Date.now() > end) throw new Error('fake OAP: timed out waiting');
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
