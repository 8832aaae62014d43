/**
 * Raceway's event JSON, as its server deserializes it (`core/src/event.rs`, see WIRE-FORMATS §1.2):
 * snake_case fields, `kind` externally tagged (an object with exactly one key), `causality_vector`
 * and `lock_set` required (possibly empty).
 */

/** How a `StateChange` touched its variable. Raceway's `AccessType` names. */
export type AccessType = 'Read' | 'Write' | 'AtomicRead' | 'AtomicWrite' | 'AtomicRMW';

export const ACCESS_TYPES: readonly AccessType[] = [
  'Read',
  'Write',
  'AtomicRead',
  'AtomicWrite',
  'AtomicRMW',
];

/** `Vec<(String, u64)>`: one `[component, counter]` pair per clock component. */
export type CausalityVector = Array<[string, number]>;

export interface RacewayEventMetadata {
  thread_id: string;
  process_id: number;
  service_name: string;
  environment: string;
  tags: Record<string, string>;
  duration_ns: number | null;
  instance_id?: string;
  distributed_span_id?: string;
  upstream_span_id?: string;
}

export interface StateChangeData {
  variable: string;
  old_value: unknown;
  new_value: unknown;
  location: string;
  access_type: AccessType;
}

export interface FunctionCallData {
  function_name: string;
  module: string;
  args: unknown;
  file: string;
  line: number;
}

export interface LockData {
  lock_id: string;
  lock_type: string;
  location: string;
}

export interface HttpRequestData {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

export interface HttpResponseData {
  status: number;
  headers: Record<string, string>;
  body: unknown;
  duration_ms: number;
}

/** The variants Sightline emits; the analysis also reads events of other SDKs (other kinds are kept as they are). */
export type RacewayEventKind =
  | { StateChange: StateChangeData }
  | { FunctionCall: FunctionCallData }
  | { LockAcquire: LockData }
  | { LockRelease: LockData }
  | { HttpRequest: HttpRequestData }
  | { HttpResponse: HttpResponseData };

export interface RacewayEvent {
  /** UUID. */
  id: string;
  /** UUID (a W3C trace id with dashes). */
  trace_id: string;
  /** UUID of the previous event of the same request context, or null for its first. */
  parent_id: string | null;
  /** RFC 3339 with microseconds, e.g. `2025-10-27T04:28:42.836234Z`. */
  timestamp: string;
  kind: RacewayEventKind;
  metadata: RacewayEventMetadata;
  causality_vector: CausalityVector;
  lock_set: string[];
}

/** The body of `POST /events`. A bare array is not accepted by the server. */
export interface RacewayEventBatch {
  events: RacewayEvent[];
}

/** `4bf92f3577b34da6a3ce929d0e0e4736` → `4bf92f35-77b3-4da6-a3ce-929d0e0e4736` (Raceway's trace ids are UUIDs). */
export function traceIdToUuid(traceId: string): string {
  return `${traceId.slice(0, 8)}-${traceId.slice(8, 12)}-${traceId.slice(12, 16)}-${traceId.slice(16, 20)}-${traceId.slice(20, 32)}`;
}

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** A UUID back to a lower-case 32-hex trace id, or undefined when it is not a UUID. */
export function uuidToTraceId(uuid: unknown): string | undefined {
  if (typeof uuid !== 'string' || uuid.length !== 36 || !UUID.test(uuid)) return undefined;
  return uuid.replace(/-/g, '').toLowerCase();
}
