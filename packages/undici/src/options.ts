/** Options of `instrumentOutboundHttp` and `outboundHttpIntegration`. */
export interface OutboundHttpOptions {
  /**
   * Instrument undici and Node's global `fetch` through the `undici:request:*` channels.
   * @default true
   */
  undici?: boolean;
  /**
   * Instrument `http.request` / `https.request` through the `http.client.*` channels. On Node
   * versions without `http.client.request.created` (before 22.12) these requests get a span, a
   * record and a breadcrumb but no trace headers: Node publishes them after the headers are written.
   * @default true
   */
  http?: boolean;
  /**
   * Add a breadcrumb to the caller's scope for every outbound request.
   * @default true
   */
  breadcrumbs?: boolean;
  /**
   * Return `true` to leave a request alone (no span, record, breadcrumb or headers). Receives the
   * URL without its query string. Exceptions count as `false`.
   * @default undefined
   */
  ignoreOutgoingRequests?: (url: string, method: string) => boolean;
}

/** Resolved once per `instrumentOutboundHttp` call. */
export interface ResolvedOutboundOptions {
  readonly undici: boolean;
  readonly http: boolean;
  readonly breadcrumbs: boolean;
  readonly ignoreOutgoingRequests: ((url: string, method: string) => boolean) | undefined;
}

function invalid(name: string, expectation: string): TypeError {
  return new TypeError(`Invalid \`${name}\`: must be ${expectation}`);
}

function bool(options: OutboundHttpOptions, name: 'undici' | 'http' | 'breadcrumbs'): boolean {
  const v = options[name];
  if (v === undefined) return true;
  if (typeof v !== 'boolean') throw invalid(name, 'a boolean');
  return v;
}

/** Validates once and builds the frozen options the subscribers read. Throws `TypeError`. */
export function resolveOutboundOptions(options: OutboundHttpOptions | undefined): ResolvedOutboundOptions {
  if (options === undefined || options === null) options = {};
  if (typeof options !== 'object') throw invalid('options', 'an object');
  const ignore = options.ignoreOutgoingRequests;
  if (ignore !== undefined && typeof ignore !== 'function')
    throw invalid('ignoreOutgoingRequests', 'a function');
  return Object.freeze({
    undici: bool(options, 'undici'),
    http: bool(options, 'http'),
    breadcrumbs: bool(options, 'breadcrumbs'),
    ignoreOutgoingRequests: ignore,
  });
}
