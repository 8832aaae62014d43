import { createRequire } from 'node:module';
import type { ReceiverRequest } from '@sightline/testkit';

// The official OTLP protobuf definitions, as generated and shipped by OpenTelemetry JS.
const require = createRequire(import.meta.url);
const root: any = require('@opentelemetry/otlp-transformer/build/src/generated/root.js');
const collector = root.opentelemetry.proto.collector;
const TraceRequest = collector.trace.v1.ExportTraceServiceRequest;
const LogsRequest = collector.logs.v1.ExportLogsServiceRequest;

const ID_KEYS = new Set(['traceId', 'spanId', 'parentSpanId']);

/** OTLP JSON ids are hex (not proto3-JSON base64): turn them into bytes for the generated types. */
function hexIdsToBytes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(hexIdsToBytes);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (ID_KEYS.has(k) && typeof x === 'string') {
        if (!/^(?:[0-9a-f]{2})*$/.test(x)) throw new Error(`${k} is not lowercase hex: ${x}`);
        out[k] = Buffer.from(x, 'hex');
      } else out[k] = hexIdsToBytes(x);
    }
    return out;
  }
  return v;
}

/** Decoded message as plain data: ids hex, 64-bit integers as decimal strings, enums as numbers, empty arrays dropped. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  if (Array.isArray(v)) return v.map(plain);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (Array.isArray(x) && x.length === 0) continue;
      out[k] = plain(x);
    }
    return out;
  }
  return v;
}

function decodeWith(Type: any, r: ReceiverRequest, strict = true): any {
  const options = { longs: String, enums: Number, bytes: Buffer, defaults: false, arrays: true, oneofs: false };
  const ct = String(r.headers['content-type']);
  if (ct === 'application/x-protobuf') return plain(Type.toObject(Type.decode(r.body), options));
  if (ct !== 'application/json') throw new Error(`unexpected content-type ${ct}`);
  const json = JSON.parse(r.body.toString('utf8'));
  // (Not `Type.verify`: it rejects 64-bit integers as strings, which the OTLP JSON mapping allows.)
  const message = Type.fromObject(hexIdsToBytes(json));
  const decoded = plain(Type.toObject(Type.decode(Type.encode(message).finish()), options));
  // Strict: every field we sent must survive the official schema unchanged (an unknown or
  // misspelled field, or a wrongly typed value, would be dropped or altered on the way).
  const sent = plain(json);
  if (strict && JSON.stringify(sortKeys(sent)) !== JSON.stringify(sortKeys(decoded))) {
    throw new Error(`OTLP JSON changed through the official schema:\nsent    ${JSON.stringify(sortKeys(sent))}\ndecoded ${JSON.stringify(sortKeys(decoded))}`);
  }
  return decoded;
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

export type Decoded = any;

/** An `ExportTraceServiceRequest` decoded with the official definitions (JSON or protobuf body). */
export function decodeTraces(r: ReceiverRequest, strict = true): Decoded {
  return decodeWith(TraceRequest, r, strict);
}

/** An `ExportLogsServiceRequest` decoded with the official definitions (JSON or protobuf body). */
export function decodeLogs(r: ReceiverRequest): Decoded {
  return decodeWith(LogsRequest, r);
}

/**
 * Every span of the requests, with its resource attributes as a flat object. `strict: false`
 * for peers' payloads (OpenTelemetry JS writes default values that a round trip drops).
 */
export function spansOf(requests: ReceiverRequest[], strict = true): Decoded[] {
  return requests.flatMap((r) =>
    decodeTraces(r, strict).resourceSpans.flatMap((rs: Decoded) =>
      rs.scopeSpans.flatMap((ss: Decoded) => ss.spans.map((s: Decoded) => ({ ...s, resource: attrs(rs.resource.attributes), scope: ss.scope }))),
    ),
  );
}

export function logsOf(requests: ReceiverRequest[]): Decoded[] {
  return requests.flatMap((r) =>
    decodeLogs(r).resourceLogs.flatMap((rl: Decoded) =>
      rl.scopeLogs.flatMap((sl: Decoded) => sl.logRecords.map((l: Decoded) => ({ ...l, resource: attrs(rl.resource.attributes) }))),
    ),
  );
}

function value(v: Decoded): unknown {
  if ('stringValue' in v) return v.stringValue;
  if ('boolValue' in v) return v.boolValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return v.doubleValue;
  if ('arrayValue' in v) return (v.arrayValue.values ?? []).map(value);
  if ('kvlistValue' in v) return attrs(v.kvlistValue.values ?? []);
  return undefined;
}

/** OTLP `KeyValue[]` as a plain object. */
export function attrs(list: Decoded[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = value(kv.value);
  return out;
}
