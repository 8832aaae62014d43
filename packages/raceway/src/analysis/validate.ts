import { ACCESS_TYPES } from '../wire.js';

/**
 * What a Raceway server's serde deserialization of `core/src/event.rs` accepts (WIRE-FORMATS
 * §1.2), as a check that names the first offending field. Ingest endpoints use it to refuse
 * what Raceway would refuse; tests use it as the schema oracle. Messages never echo values.
 */

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/;
const U32 = 0xffff_ffff;

type Obj = Record<string, unknown>;
type Check = (v: unknown) => boolean;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str: Check = (v) => typeof v === 'string';
const uint =
  (max = Number.MAX_SAFE_INTEGER): Check =>
  (v) =>
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= max;
const any: Check = (v) => v !== undefined;
const optional =
  (c: Check): Check =>
  (v) =>
    v === undefined || v === null || c(v);
const stringMap: Check = (v) => isObj(v) && Object.values(v).every((x) => typeof x === 'string');
const uuid: Check = (v) => typeof v === 'string' && v.length === 36 && UUID.test(v);

/** Required fields of each `EventKind` variant (serde's externally tagged form). */
const KINDS: Record<string, Record<string, Check>> = {
  FunctionCall: { function_name: str, module: str, args: any, file: str, line: uint(U32) },
  AsyncSpawn: { task_id: uuid, spawned_by: str },
  AsyncAwait: { future_id: uuid, awaited_at: str },
  StateChange: {
    variable: str,
    old_value: optional(any),
    new_value: any,
    location: str,
    access_type: (v) => ACCESS_TYPES.includes(v as never),
  },
  LockAcquire: { lock_id: str, lock_type: str, location: str },
  LockRelease: { lock_id: str, lock_type: str, location: str },
  MemoryFence: {
    ordering: (v) => ['Relaxed', 'Acquire', 'Release', 'AcqRel', 'SeqCst'].includes(v as string),
    location: str,
  },
  HttpRequest: { method: str, url: str, headers: stringMap, body: optional(any) },
  HttpResponse: { status: uint(65_535), headers: stringMap, body: optional(any), duration_ms: uint() },
  DatabaseQuery: { query: str, database: str, duration_ms: uint() },
  DatabaseResult: { rows_affected: uint() },
  Error: { error_type: str, message: str, stack_trace: (v) => Array.isArray(v) && v.every(str) },
  Custom: { name: str, data: any },
};

const METADATA: Record<string, Check> = {
  thread_id: str,
  process_id: uint(U32),
  service_name: str,
  environment: str,
  tags: stringMap,
  duration_ns: optional(uint()),
  instance_id: optional(str),
  distributed_span_id: optional(str),
  upstream_span_id: optional(str),
};

function fields(o: Obj, spec: Record<string, Check>, path: string): string | undefined {
  for (const [k, check] of Object.entries(spec)) {
    // serde fills a missing `Option` with None; every other field is required.
    if (!(k in o) && check(undefined)) continue;
    if (!check(o[k])) return `${path}.${k}: ${k in o ? 'has the wrong type' : 'is missing'}`;
  }
  return undefined;
}

/**
 * Undefined when `e` is an event a Raceway server would deserialize; otherwise a message naming
 * the first field it would reject, e.g. `kind.StateChange.access_type: has the wrong type`.
 * @example const problem = checkRacewayEvent(body.events[0]);
 */
export function checkRacewayEvent(e: unknown): string | undefined {
  if (!isObj(e)) return 'event: is not an object';
  if (!uuid(e.id)) return 'id: must be a UUID';
  if (!uuid(e.trace_id)) return 'trace_id: must be a UUID';
  if (!(e.parent_id === null || e.parent_id === undefined || uuid(e.parent_id)))
    return 'parent_id: must be a UUID or null';
  if (typeof e.timestamp !== 'string' || e.timestamp.length > 40 || !RFC3339.test(e.timestamp)) {
    return 'timestamp: must be RFC 3339';
  }
  if (!isObj(e.kind)) return 'kind: is not an object';
  const names = Object.keys(e.kind);
  if (names.length !== 1) return 'kind: must have exactly one variant';
  const name = names[0]!;
  const spec = KINDS[name];
  if (!spec) return 'kind: unknown variant';
  const data = e.kind[name];
  if (!isObj(data)) return `kind.${name}: is not an object`;
  const bad = fields(data, spec, `kind.${name}`);
  if (bad) return bad;
  if (!isObj(e.metadata)) return 'metadata: is not an object';
  const badMeta = fields(e.metadata, METADATA, 'metadata');
  if (badMeta) return badMeta;
  const cv = e.causality_vector;
  if (!Array.isArray(cv)) return 'causality_vector: is missing or not an array';
  for (const p of cv) {
    if (!Array.isArray(p) || p.length !== 2 || typeof p[0] !== 'string' || !uint()(p[1])) {
      return 'causality_vector: must hold [string, unsigned integer] pairs';
    }
  }
  if (!Array.isArray(e.lock_set) || !e.lock_set.every(str))
    return 'lock_set: is missing or not an array of strings';
  return undefined;
}
