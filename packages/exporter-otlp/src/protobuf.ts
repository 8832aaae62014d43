import type {
  AnyValue,
  ExportLogsServiceRequest,
  ExportTraceServiceRequest,
  InstrumentationScope,
  KeyValue,
  OtlpLogRecord,
  OtlpSpan,
  Resource,
} from './model.js';

/**
 * A hand-written protobuf encoder for exactly the OTLP messages Sightline sends (field numbers
 * from opentelemetry-proto `common`, `resource`, `trace` and `logs` v1), so `http/protobuf`
 * needs no protobuf runtime. Tests decode its output with the official generated types.
 */

const VARINT = 0;
const I64 = 1;
const LEN = 2;
const I32 = 5;
const TWO_64 = 1n << 64n;

class Writer {
  buf = new Uint8Array(1024);
  pos = 0;

  ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  varint(v: number): void {
    this.ensure(10);
    while (v > 0x7f) {
      this.buf[this.pos++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.pos++] = v;
  }

  bigVarint(v: bigint): void {
    this.ensure(10);
    while (v > 0x7fn) {
      this.buf[this.pos++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buf[this.pos++] = Number(v);
  }

  tag(field: number, wire: number): void {
    this.varint(field * 8 + wire);
  }

  string(field: number, s: string | undefined, always = false): void {
    if (s === undefined || (s === '' && !always)) return;
    const len = Buffer.byteLength(s, 'utf8');
    this.tag(field, LEN);
    this.varint(len);
    this.ensure(len);
    this.pos += Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, len).write(s, 'utf8');
  }

  hexBytes(field: number, hex: string | undefined): void {
    if (!hex) return;
    const len = hex.length >>> 1;
    this.tag(field, LEN);
    this.varint(len);
    this.ensure(len);
    for (let i = 0; i < len; i++) this.buf[this.pos++] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  }

  uint(field: number, v: number | undefined): void {
    if (!v) return;
    this.tag(field, VARINT);
    this.varint(v);
  }

  int64(field: number, decimal: string): void {
    let v = BigInt(decimal);
    if (v < 0n) v += TWO_64;
    this.tag(field, VARINT);
    this.bigVarint(v);
  }

  fixed64(field: number, decimal: string): void {
    this.tag(field, I64);
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset).setBigUint64(this.pos, BigInt.asUintN(64, BigInt(decimal)), true);
    this.pos += 8;
  }

  fixed32(field: number, v: number | undefined): void {
    if (!v) return;
    this.tag(field, I32);
    this.ensure(4);
    new DataView(this.buf.buffer, this.buf.byteOffset).setUint32(this.pos, v >>> 0, true);
    this.pos += 4;
  }

  double(field: number, v: number): void {
    this.tag(field, I64);
    this.ensure(8);
    new DataView(this.buf.buffer, this.buf.byteOffset).setFloat64(this.pos, v, true);
    this.pos += 8;
  }

  /** A length-delimited sub-message: written in place, then its length is inserted before it. */
  message(field: number, write: () => void): void {
    this.tag(field, LEN);
    const start = this.pos;
    write();
    const len = this.pos - start;
    let size = 1;
    for (let v = len; v > 0x7f; v = Math.floor(v / 0x80)) size++;
    this.ensure(size);
    this.buf.copyWithin(start + size, start, this.pos);
    const end = this.pos + size;
    this.pos = start;
    this.varint(len);
    this.pos = end;
  }

  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

function anyValue(w: Writer, v: AnyValue): void {
  if (v.stringValue !== undefined) {
    // An empty string is still a set oneof member, so it is written too.
    w.string(1, v.stringValue, true);
  } else if (v.boolValue !== undefined) {
    w.tag(2, VARINT);
    w.varint(v.boolValue ? 1 : 0);
  } else if (v.intValue !== undefined) w.int64(3, v.intValue);
  else if (v.doubleValue !== undefined) w.double(4, v.doubleValue);
  else if (v.arrayValue) {
    const values = v.arrayValue.values;
    w.message(5, () => {
      for (const x of values) w.message(1, () => anyValue(w, x));
    });
  } else if (v.kvlistValue) {
    const values = v.kvlistValue.values;
    w.message(6, () => keyValues(w, 1, values));
  }
}

function keyValues(w: Writer, field: number, kvs: readonly KeyValue[]): void {
  for (const kv of kvs) {
    w.message(field, () => {
      w.string(1, kv.key);
      w.message(2, () => anyValue(w, kv.value));
    });
  }
}

function resource(w: Writer, r: Resource): void {
  w.message(1, () => keyValues(w, 1, r.attributes));
}

function scope(w: Writer, s: InstrumentationScope): void {
  w.message(1, () => {
    w.string(1, s.name);
    w.string(2, s.version);
  });
}

function span(w: Writer, s: OtlpSpan): void {
  w.hexBytes(1, s.traceId);
  w.hexBytes(2, s.spanId);
  w.string(3, s.traceState);
  w.hexBytes(4, s.parentSpanId);
  w.string(5, s.name);
  w.uint(6, s.kind);
  w.fixed64(7, s.startTimeUnixNano);
  w.fixed64(8, s.endTimeUnixNano);
  keyValues(w, 9, s.attributes);
  for (const e of s.events) {
    w.message(11, () => {
      w.fixed64(1, e.timeUnixNano);
      w.string(2, e.name);
      keyValues(w, 3, e.attributes);
    });
  }
  if (s.status.code || s.status.message) {
    w.message(15, () => {
      w.string(2, s.status.message);
      w.uint(3, s.status.code);
    });
  }
  w.fixed32(16, s.flags);
}

function logRecord(w: Writer, l: OtlpLogRecord): void {
  w.fixed64(1, l.timeUnixNano);
  w.uint(2, l.severityNumber);
  w.string(3, l.severityText);
  w.message(5, () => anyValue(w, l.body));
  keyValues(w, 6, l.attributes);
  w.hexBytes(9, l.traceId);
  w.hexBytes(10, l.spanId);
  w.fixed64(11, l.observedTimeUnixNano);
}

/** `ExportTraceServiceRequest` in protobuf binary form. */
export function encodeTracesProto(req: ExportTraceServiceRequest): Uint8Array {
  const w = new Writer();
  for (const rs of req.resourceSpans) {
    w.message(1, () => {
      resource(w, rs.resource);
      for (const ss of rs.scopeSpans) {
        w.message(2, () => {
          scope(w, ss.scope);
          for (const s of ss.spans) w.message(2, () => span(w, s));
        });
      }
    });
  }
  return w.finish();
}

/** `ExportLogsServiceRequest` in protobuf binary form. */
export function encodeLogsProto(req: ExportLogsServiceRequest): Uint8Array {
  const w = new Writer();
  for (const rl of req.resourceLogs) {
    w.message(1, () => {
      resource(w, rl.resource);
      for (const sl of rl.scopeLogs) {
        w.message(2, () => {
          scope(w, sl.scope);
          for (const l of sl.logRecords) w.message(2, () => logRecord(w, l));
        });
      }
    });
  }
  return w.finish();
}
