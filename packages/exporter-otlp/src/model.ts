/**
 * OTLP message shapes in their JSON mapping (OTLP/HTTP JSON: lowerCamelCase names, hex trace and
 * span ids, enums as integers, 64-bit integers as decimal strings). The protobuf encoder walks
 * the same objects, so both encodings always carry the same data.
 */

export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  /** int64 as a decimal string. */
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values: AnyValue[] };
  kvlistValue?: { values: KeyValue[] };
}

export interface KeyValue {
  key: string;
  value: AnyValue;
}

export interface Resource {
  attributes: KeyValue[];
}

export interface InstrumentationScope {
  name: string;
  version?: string;
}

export interface OtlpEvent {
  /** fixed64 nanoseconds as a decimal string. */
  timeUnixNano: string;
  name: string;
  attributes: KeyValue[];
}

export interface OtlpStatus {
  message?: string;
  /** 0 unset, 1 ok, 2 error. */
  code?: number;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  traceState?: string;
  parentSpanId?: string;
  /** W3C trace flags in the low byte. */
  flags?: number;
  name: string;
  /** 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: KeyValue[];
  events: OtlpEvent[];
  status: OtlpStatus;
}

export interface OtlpLogRecord {
  timeUnixNano: string;
  observedTimeUnixNano: string;
  severityNumber: number;
  severityText: string;
  body: AnyValue;
  attributes: KeyValue[];
  traceId?: string;
  spanId?: string;
}

export interface ExportTraceServiceRequest {
  resourceSpans: { resource: Resource; scopeSpans: { scope: InstrumentationScope; spans: OtlpSpan[] }[] }[];
}

export interface ExportLogsServiceRequest {
  resourceLogs: { resource: Resource; scopeLogs: { scope: InstrumentationScope; logRecords: OtlpLogRecord[] }[] }[];
}
