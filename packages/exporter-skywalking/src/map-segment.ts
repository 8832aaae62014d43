import type { SpanRecord } from '@sightline/core';
import { COMPONENT, databaseComponent, serverComponent } from './components.js';
import { peerOf } from './peer.js';
import type { PendingSegment, PlacedSpan } from './segments.js';
import { SW8_DATA } from './sw8.js';
import type {
  KeyStringValuePair,
  Log,
  SegmentObject,
  SegmentReference,
  SpanLayer,
  SpanObject,
  SpanType,
} from './wire.js';

export interface Identity {
  service: string;
  instance: string;
}

// Model tags that become fields or renamed SkyWalking tags instead of being copied.
const MAPPED = new Set(['http.method', 'http.url', 'http.status_code']);

function pathOfUrl(url: string): string {
  const scheme = url.indexOf('//');
  const slash = scheme === -1 ? url.indexOf('/') : url.indexOf('/', scheme + 2);
  if (slash === -1) return '/';
  const q = url.indexOf('?', slash);
  return q === -1 ? url.slice(slash) : url.slice(slash, q);
}

function spanType(r: SpanRecord): SpanType {
  return r.kind === 'server' ? 'Entry' : r.kind === 'client' ? 'Exit' : 'Local';
}

/**
 * SkyWalking's HTTP tags (`http.method`, `url`, `http.status_code`) first, then every other
 * model tag unchanged. `url` is the full URL on exits and the scrubbed path on entries (the
 * model does not record the inbound scheme).
 */
function tagsOf(r: SpanRecord, type: SpanType): KeyStringValuePair[] {
  const t = r.tags;
  const out: KeyStringValuePair[] = [];
  const method = t['http.method'];
  if (method !== undefined) {
    out.push({ key: 'http.method', value: method });
    const url = type === 'Entry' ? r.request?.path : t['http.url'];
    if (url !== undefined) out.push({ key: 'url', value: url });
    const status = t['http.status_code'];
    if (status !== undefined) out.push({ key: 'http.status_code', value: status });
  }
  for (const k in t)
    if (!(method !== undefined && MAPPED.has(k))) out.push({ key: k, value: t[k] as string });
  const sent = type === 'Entry' ? r.propagationData?.[SW8_DATA.sendTime] : undefined;
  if (sent !== undefined) {
    out.push({
      key: 'transmission.latency',
      value: String(Math.max(0, Math.round(r.startTime - Number(sent)))),
    });
  }
  return out;
}

/** Each recorded exception as a SkyWalking error log: `event`, `error.kind`, `message`, `stack`. */
function logsOf(r: SpanRecord): Log[] {
  const out: Log[] = [];
  if (!r.events) return out;
  for (const ev of r.events) {
    if (ev.name !== 'exception') continue;
    const a = ev.attributes;
    out.push({
      time: Math.round(ev.time),
      data: [
        { key: 'event', value: 'error' },
        { key: 'error.kind', value: a['exception.type'] ?? 'Error' },
        { key: 'message', value: a['exception.message'] ?? '' },
        { key: 'stack', value: a['exception.stacktrace'] ?? '' },
      ],
    });
  }
  return out;
}

function crossProcessRef(pd: Readonly<Record<string, string>> | undefined): SegmentReference | undefined {
  const segment = pd?.[SW8_DATA.segmentId];
  if (pd === undefined || segment === undefined) return undefined;
  return {
    refType: 'CrossProcess',
    traceId: pd[SW8_DATA.traceId] ?? '',
    parentTraceSegmentId: segment,
    parentSpanId: Number(pd[SW8_DATA.spanId] ?? 0),
    parentService: pd[SW8_DATA.service] ?? '',
    parentServiceInstance: pd[SW8_DATA.instance] ?? '',
    parentEndpoint: pd[SW8_DATA.endpoint] ?? '',
    networkAddressUsedAtPeer: pd[SW8_DATA.address] ?? '',
  };
}

export function mapSpan(p: PlacedSpan, swTraceId: string, id: Identity): SpanObject {
  const r = p.record;
  const t = r.tags;
  const type = spanType(r);
  const http = t['http.method'] !== undefined;
  const db = t['db.system'] ?? t['db.type'];
  const layer: SpanLayer = http
    ? 'Http'
    : db !== undefined
      ? 'Database'
      : t['messaging.system'] !== undefined
        ? 'MQ'
        : 'Unknown';
  let componentId: number = COMPONENT.Unknown;
  if (type === 'Entry')
    componentId = http || t.framework !== undefined ? serverComponent(t.framework) : COMPONENT.Unknown;
  else if (type === 'Exit') componentId = http ? COMPONENT.HttpClient : databaseComponent(db);
  const refs: SegmentReference[] = [];
  if (p.isRoot) {
    const ref = crossProcessRef(r.propagationData);
    if (ref) refs.push(ref);
  } else if (p.crossThread) {
    refs.push({
      refType: 'CrossThread',
      traceId: swTraceId,
      parentTraceSegmentId: p.crossThread.segmentId,
      parentSpanId: p.crossThread.spanId,
      parentService: id.service,
      parentServiceInstance: id.instance,
      parentEndpoint: p.crossThread.endpoint,
      networkAddressUsedAtPeer: '',
    });
  }
  const start = Math.round(r.startTime);
  const span: SpanObject = {
    spanId: p.id,
    parentSpanId: p.parent,
    startTime: start,
    endTime: Math.max(start, Math.round(r.endTime)),
    refs,
    operationName: type === 'Exit' && http && t['http.url'] !== undefined ? pathOfUrl(t['http.url']) : r.name,
    spanType: type,
    spanLayer: layer,
    componentId,
    isError: r.status === 'error',
    tags: tagsOf(r, type),
    logs: logsOf(r),
    skipAnalysis: r.propagationData?.[SW8_DATA.skipAnalysis] === '1',
  };
  if (type === 'Exit') span.peer = peerOf(t);
  return span;
}

export function mapSegment(s: PendingSegment, id: Identity): SegmentObject {
  return {
    traceId: s.swTraceId,
    traceSegmentId: s.segmentId,
    spans: s.spans.map((p) => mapSpan(p, s.swTraceId, id)),
    service: id.service,
    serviceInstance: id.instance,
    isSizeLimited: s.sizeLimited,
  };
}
