/**
 * W3C baggage, only as far as Sightline needs it: keep members other than our own as they came,
 * and merge `allstak-trace_id`, `allstak-span_id`, `allstak-request_id` on the way out.
 */
const MAX_BAGGAGE_BYTES = 8192;
const MAX_MEMBERS = 180;
const OWN_PREFIX = 'allstak-';

/** Returns the inbound members that are not ours, comma-joined, or undefined. Never throws. */
export function foreignBaggage(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const raw = typeof value === 'string' ? value : value.join(',');
  if (raw.length === 0 || raw.length > MAX_BAGGAGE_BYTES) return undefined;
  const kept: string[] = [];
  for (const part of raw.split(',')) {
    const m = part.trim();
    if (m === '') continue;
    const eq = m.indexOf('=');
    if (eq <= 0) continue;
    if (m.slice(0, eq).trim().toLowerCase().startsWith(OWN_PREFIX)) continue;
    kept.push(m);
    if (kept.length >= MAX_MEMBERS) break;
  }
  return kept.length > 0 ? kept.join(',') : undefined;
}

/** Our members first, then the foreign ones, within the W3C size limit. */
export function mergeBaggage(foreign: string | undefined, traceId: string, spanId: string, requestId?: string): string {
  let own = `allstak-trace_id=${traceId},allstak-span_id=${spanId}`;
  if (requestId) own += `,allstak-request_id=${encodeURIComponent(requestId)}`;
  if (!foreign) return own;
  const merged = `${own},${foreign}`;
  return merged.length <= MAX_BAGGAGE_BYTES ? merged : own;
}
