import type { ErrSightEvent } from './wire.js';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');
const cut = (s: string | undefined, n: number): string | undefined =>
  s !== undefined && s.length > n ? `${s.slice(0, n)}…` : s;

function stringify(e: ErrSightEvent): string | undefined {
  try {
    return JSON.stringify(e);
  } catch {
    return undefined;
  }
}

/**
 * Steps that shrink an event, least valuable data first. Each returns a smaller copy; what
 * identifies the error (class, message head, innermost frames) goes last.
 */
const STEPS: ((e: ErrSightEvent) => ErrSightEvent)[] = [
  (e) => ({ ...e, metadata: { ...e.metadata, extra: undefined, contexts: undefined, request: undefined } }),
  (e) => ({ ...e, breadcrumbs: e.breadcrumbs?.slice(-10).map(({ data: _data, ...b }) => b) }),
  (e) => ({
    ...e,
    metadata: {
      ...e.metadata,
      exception_frames: e.metadata.exception_frames
        ?.slice(-20)
        .map(({ pre_context: _p, context_line: _c, post_context: _q, ...f }) => f),
      exception_causes: e.metadata.exception_causes?.map(({ backtrace: _b, ...c }) => ({
        ...c,
        message: cut(c.message, 1000) as string,
      })),
    },
  }),
  (e) => ({
    ...e,
    message: cut(e.message, 1000) as string,
    backtrace: cut(e.backtrace, 8192),
    breadcrumbs: undefined,
    tags: undefined,
  }),
  (e) => ({
    level: e.level,
    message: cut(e.message, 1000) as string,
    timestamp: e.timestamp,
    environment: e.environment,
    release: e.release,
    fingerprint: e.fingerprint?.slice(0, 10).map((p) => cut(p, 200) as string),
    metadata: {
      exception_class: cut(e.metadata.exception_class, 200),
      exception_frames: e.metadata.exception_frames?.slice(-5),
    },
  }),
];

export interface Fitted {
  json: string;
  truncated: boolean;
}

/**
 * The event as JSON within `maxBytes`: unchanged when it fits, else shrunk step by step and
 * marked `metadata.truncated: true`. Undefined only when even the smallest form does not fit
 * or the event cannot be serialized.
 */
export function fitEvent(event: ErrSightEvent, maxBytes: number): Fitted | undefined {
  const json = stringify(event);
  if (json === undefined) return undefined;
  if (bytes(json) <= maxBytes) return { json, truncated: false };
  let e: ErrSightEvent = { ...event, metadata: { ...event.metadata, truncated: true } };
  for (const step of STEPS) {
    e = step(e);
    e.metadata.truncated = true;
    const s = stringify(e);
    if (s !== undefined && bytes(s) <= maxBytes) return { json: s, truncated: true };
  }
  return undefined;
}
