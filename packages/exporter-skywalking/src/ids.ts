import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';

const HEX32 = /^[0-9a-f]{32}$/;
const ZERO32 = '0'.repeat(32);

function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/**
 * Sightline's 32-hex trace id for a SkyWalking trace id. The official Node agent's ids (uuid v4
 * without dashes) are kept as they are; other formats (e.g. the Java agent's dotted ids) are
 * hashed, and the original travels in `propagationData` so segments and outbound `sw8` use it.
 */
export function modelTraceId(swTraceId: string): string {
  if (HEX32.test(swTraceId) && swTraceId !== ZERO32) return swTraceId;
  const h = sha256Hex(swTraceId).slice(0, 32);
  return h === ZERO32 ? `${h.slice(0, 31)}1` : h;
}

/**
 * A stable 16-hex parent span id for a SkyWalking parent (segment id + span number), so the
 * server span records a remote parent like it does for W3C callers.
 */
export function modelParentSpanId(segmentId: string, spanId: number): string {
  const h = sha256Hex(`${segmentId}/${spanId}`).slice(0, 16);
  return h === '0000000000000000' ? '0000000000000001' : h;
}

/**
 * The segment id of the `seq`-th segment of one local root: derived from the trace and root
 * span ids, so the `sw8` a span injects and the segment reported later agree without state.
 */
export function segmentIdOf(traceId: string, rootSpanId: string, seq: number): string {
  return seq === 0 ? `${traceId}.${rootSpanId}` : `${traceId}.${rootSpanId}.${seq}`;
}

let instance: string | undefined;

/** `<uuid without dashes>@<hostname>`, made once per process (the service instance name). */
export function defaultInstanceName(): string {
  if (instance === undefined) {
    let host = 'localhost';
    try {
      host = hostname() || host;
    } catch {}
    instance = `${randomUUID().replace(/-/g, '')}@${host}`;
  }
  return instance;
}
