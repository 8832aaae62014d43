import type { TransportOptions } from '@sightline/core';

/** Transport settings the exporter lets you tune (tests, slow networks). */
export type SkyWalkingTransportTuning = Partial<
  Pick<
    TransportOptions,
    'maxRetries' | 'retryBaseMs' | 'maxRetryAfterMs' | 'defaultRetryAfterMs' | 'maxInFlight'
  >
>;

export interface SkyWalkingExporterOptions {
  /**
   * Base URL of the OAP HTTP receiver (segments go to `<address>/v3/segments`). A bare
   * `host:port` is read as `http://host:port`.
   * @default 'http://127.0.0.1:12800'
   */
  address?: string;
  /** Service name reported to the OAP. @default the client's `service` option */
  service?: string;
  /** Service instance name. @default `<uuid>@<hostname>`, made once per process */
  serviceInstance?: string;
  /** Sent as the `Authentication` header, for an OAP with authentication on. Never logged. */
  authentication?: string;
  /**
   * Longest time (ms) a segment waits: for its local root to end, or after it for spans that
   * propagated `sw8` to end. Then it is sent with what it has.
   * @default 30000
   */
  segmentTimeout?: number;
  /**
   * Spans per segment; past it, spans are dropped, counted, and the segment says `isSizeLimited`
   * (the SkyWalking agents' default limit).
   * @default 300
   */
  maxSpansPerSegment?: number;
  /**
   * Finished spans held while their segments are open; past it, the oldest segment is sent early.
   * Open local roots are bounded too, at half this number (at least 100).
   * @default 10000
   */
  maxBufferedSpans?: number;
  /**
   * Interval (ms) of the instance heartbeat: `/v3/management/keepAlive` and
   * `/v3/management/reportProperties`, as the official Node agent does (also sent at start).
   * @default 20000
   */
  keepAliveInterval?: number;
  /**
   * Deadline (ms) for one request to the OAP.
   * @default 10000
   */
  timeoutMs?: number;
  /** Transport tuning. @default core transport defaults */
  transport?: SkyWalkingTransportTuning;
}

export interface ResolvedSkyWalkingOptions {
  readonly address: string;
  readonly service: string | undefined;
  readonly serviceInstance: string | undefined;
  readonly authentication: string | undefined;
  readonly segmentTimeout: number;
  readonly maxSpansPerSegment: number;
  readonly maxBufferedSpans: number;
  readonly keepAliveInterval: number;
  readonly timeoutMs: number;
  readonly transport: SkyWalkingTransportTuning;
}

export const DEFAULT_ADDRESS = 'http://127.0.0.1:12800';
// Header values: printable ASCII without CR/LF.
const HEADER_SAFE = /^[\x20-\x7e]*$/;

function fail(name: string, expectation: string): never {
  throw new TypeError(`Invalid \`${name}\`: must be ${expectation}`);
}

function positive(v: unknown, name: string, def: number, min = 1): number {
  if (v === undefined) return def;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min) fail(name, `a number >= ${min}`);
  return v;
}

function name(v: unknown, key: string): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || v.trim() === '' || v.length > 256 || !HEADER_SAFE.test(v)) {
    fail(key, 'a non-empty printable string of at most 256 characters');
  }
  return v.trim();
}

function address(v: unknown): string {
  if (v === undefined) return DEFAULT_ADDRESS;
  if (typeof v !== 'string' || v.trim() === '') fail('address', 'a URL such as http://127.0.0.1:12800');
  let raw = v.trim();
  if (!/^https?:\/\//i.test(raw)) raw = `http://${raw}`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    fail('address', 'a URL such as http://127.0.0.1:12800');
  }
  let path = url.pathname;
  while (path.endsWith('/')) path = path.slice(0, -1);
  return `${url.origin}${path}`;
}

/** Validates once (throws `TypeError`) and resolves defaults. */
export function resolveSkyWalkingOptions(
  options: SkyWalkingExporterOptions | undefined,
): ResolvedSkyWalkingOptions {
  const o = options ?? {};
  if (typeof o !== 'object') fail('options', 'an object');
  const auth = o.authentication;
  if (auth !== undefined && (typeof auth !== 'string' || !HEADER_SAFE.test(auth))) {
    fail('authentication', 'a printable string');
  }
  const transport = o.transport ?? {};
  if (typeof transport !== 'object' || transport === null) fail('transport', 'an object');
  return Object.freeze({
    address: address(o.address),
    service: name(o.service, 'service'),
    serviceInstance: name(o.serviceInstance, 'serviceInstance'),
    authentication: auth === '' ? undefined : auth,
    segmentTimeout: positive(o.segmentTimeout, 'segmentTimeout', 30_000, 10),
    maxSpansPerSegment: Math.floor(positive(o.maxSpansPerSegment, 'maxSpansPerSegment', 300)),
    maxBufferedSpans: Math.floor(positive(o.maxBufferedSpans, 'maxBufferedSpans', 10_000)),
    keepAliveInterval: positive(o.keepAliveInterval, 'keepAliveInterval', 20_000, 10),
    timeoutMs: positive(o.timeoutMs, 'timeoutMs', 10_000),
    transport: { ...transport },
  });
}
