import { decode } from '@msgpack/msgpack';
import type { ReceiverRequest } from '@sightline/testkit';
import { isInteger, parse } from 'lossless-json';

/** A v0.4 span as the agent would decode it: uint64 fields as exact bigints. */
export interface AgentSpan {
  trace_id: bigint;
  span_id: bigint;
  parent_id: bigint;
  start: bigint;
  duration: bigint;
  error: number;
  name: string;
  resource: string;
  service: string;
  type: string;
  meta: Record<string, string>;
  metrics: Record<string, number>;
}

const ID_FIELDS = new Set(['trace_id', 'span_id', 'parent_id', 'start', 'duration']);

/**
 * Parses a v0.4 body the way the agent does: JSON with integers kept exact (lossless-json, so an
 * id above 2^53 that was written as a float-rounded number would show), or msgpack (dd-trace).
 */
export function tracesOf(r: ReceiverRequest): AgentSpan[][] {
  const ct = String(r.headers['content-type']);
  if (ct === 'application/msgpack') return decode(r.body, { useBigInt64: true }) as AgentSpan[][];
  if (ct !== 'application/json') throw new Error(`unexpected content-type ${ct}`);
  const text = r.body.toString('utf8');
  return parse(text, null, (value: string) => {
    if (!isInteger(value)) return Number(value);
    // Every integer is parsed exactly; metrics and error become numbers again below.
    return BigInt(value);
  }) as unknown as AgentSpan[][];
}

/** Normalizes a parsed span: uint64 fields stay bigint, every other number is a plain number. */
export function normalize(s: AgentSpan): AgentSpan {
  const out = { ...s } as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(out)) {
    if (typeof v === 'bigint' && !ID_FIELDS.has(k)) out[k] = Number(v);
    if (typeof v === 'number' && ID_FIELDS.has(k)) out[k] = BigInt(v);
  }
  const metrics: Record<string, number> = {};
  for (const [k, v] of Object.entries(s.metrics ?? {})) metrics[k] = Number(v);
  out.metrics = metrics;
  return out as unknown as AgentSpan;
}

export function spansOf(requests: ReceiverRequest[]): AgentSpan[] {
  return requests.flatMap((r) => tracesOf(r).flat().map(normalize));
}
