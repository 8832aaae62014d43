/**
 * The SkyWalking v3 JSON shapes sent to the OAP HTTP receiver: protobuf-JSON of
 * `language-agent/Tracing.proto` and `management/Management.proto`
 * (apache/skywalking-data-collect-protocol). Enums are written by name, as in the OAP docs'
 * examples; timestamps are epoch milliseconds.
 */

export type SpanType = 'Entry' | 'Exit' | 'Local';
export type SpanLayer = 'Unknown' | 'Database' | 'RPCFramework' | 'Http' | 'MQ' | 'Cache' | 'FAAS';
export type RefType = 'CrossProcess' | 'CrossThread';

export interface KeyStringValuePair {
  key: string;
  value: string;
}

export interface SegmentReference {
  refType: RefType;
  traceId: string;
  parentTraceSegmentId: string;
  parentSpanId: number;
  parentService: string;
  parentServiceInstance: string;
  parentEndpoint: string;
  networkAddressUsedAtPeer: string;
}

export interface Log {
  time: number;
  data: KeyStringValuePair[];
}

export interface SpanObject {
  spanId: number;
  /** -1 for a span without a parent in its segment. */
  parentSpanId: number;
  startTime: number;
  endTime: number;
  refs: SegmentReference[];
  operationName: string;
  /** Only on Exit spans: the address the client called. */
  peer?: string;
  spanType: SpanType;
  spanLayer: SpanLayer;
  componentId: number;
  isError: boolean;
  tags: KeyStringValuePair[];
  logs: Log[];
  skipAnalysis: boolean;
}

export interface SegmentObject {
  traceId: string;
  traceSegmentId: string;
  spans: SpanObject[];
  service: string;
  serviceInstance: string;
  /** True when spans were dropped because the segment reached its span limit. */
  isSizeLimited: boolean;
}

export interface InstanceProperties {
  service: string;
  serviceInstance: string;
  properties: KeyStringValuePair[];
}

export interface InstancePingPkg {
  service: string;
  serviceInstance: string;
}
