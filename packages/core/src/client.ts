import { createAllStakExporter } from './allstak/exporter.js';
import { createDebugLogger, type DebugLogger, registerSecret } from './debug.js';
import { causeChain, exceptionFromThrowable, exceptionSignature, truncateMessage } from './event-builder.js';
import type { Exporter } from './exporter.js';
import type { Hub } from './hub.js';
import { newUuid } from './ids.js';
import { matchesAny } from './matchers.js';
import { normalize, normalizeRecord, scrubString, scrubUrl } from './normalize.js';
import type { ResolvedOptions } from './options.js';
import { isLoopbackHost } from './transport/loopback.js';
import { CompositePropagator } from './propagation/composite.js';
import type { Scope } from './scope.js';
import { Session } from './sessions.js';
import type { StackParseOptions } from './stack/parse.js';
import { SourceContextCache } from './stack/source-context.js';
import type { Span, SpanSink } from './tracing/span.js';
import type {
  Breadcrumb,
  ErrorEvent,
  EventHint,
  ExceptionModel,
  ItemKind,
  ItemKinds,
  LogLevel,
  LogRecord,
  RequestContext,
  SessionEndRecord,
  SessionStartRecord,
  SeverityLevel,
  SpanRecord,
} from './types.js';
import { SDK_VERSION } from './version.js';

const SEVERITIES = new Set<string>(['fatal', 'error', 'warning', 'info', 'debug']);
const ALL_KINDS: ItemKind[] = [
  'error',
  'log',
  'span',
  'http-request',
  'db',
  'session-start',
  'session-end',
  'check-in',
  'release',
];

export interface ClientStats {
  enabled: boolean;
  captured: Record<ItemKind, number>;
  dropped: {
    sampleRate: number;
    ignored: number;
    duplicate: number;
    beforeSend: number;
    beforeSendError: number;
    beforeSendSpan: number;
    beforeBreadcrumb: number;
    exporterRejected: number;
  };
  exporters: Record<string, unknown>;
}

/** Plain-http hosts already warned about in this process. */
const warnedInsecureHosts = new Set<string>();

function zeroKinds(): Record<ItemKind, number> {
  const o = {} as Record<ItemKind, number>;
  for (const k of ALL_KINDS) o[k] = 0;
  return o;
}

/**
 * Holds the resolved options, the exporters and the release-health session. Decides sampling,
 * enriches, scrubs and runs `beforeSend`, then hands model items to every exporter that takes
 * their kind. Nothing here throws into the caller.
 */
export class Client implements SpanSink {
  readonly options: ResolvedOptions;
  readonly debug: DebugLogger;
  readonly propagator: CompositePropagator;
  readonly exporters: readonly Exporter[];
  readonly stackOptions: StackParseOptions;
  readonly enabled: boolean;
  private readonly routes: Record<ItemKind, Exporter[]>;
  private readonly sourceContext = new SourceContextCache();
  private readonly pending = new Set<Promise<void>>();
  private eventTail: Promise<void> | undefined;
  private readonly capturedErrors = new WeakSet<object>();
  private lastSignature: string | undefined;
  private closed = false;
  private session: Session | undefined;
  private readonly stats: ClientStats;

  constructor(options: ResolvedOptions) {
    this.options = options;
    registerSecret(options.apiKey);
    this.debug = createDebugLogger(options.debug);
    this.propagator = new CompositePropagator(options.propagators);
    this.stackOptions = { inAppInclude: options.inAppInclude, inAppExclude: options.inAppExclude };
    const exporters: Exporter[] = [];
    if (options.apiKey) exporters.push(createAllStakExporter({ apiKey: options.apiKey, host: options.host }));
    exporters.push(...options.exporters);
    this.exporters = exporters;
    this.enabled = exporters.length > 0;
    this.routes = {} as Record<ItemKind, Exporter[]>;
    for (const k of ALL_KINDS) this.routes[k] = exporters.filter((e) => safeAccepts(e, k));
    this.stats = {
      enabled: this.enabled,
      captured: zeroKinds(),
      dropped: {
        sampleRate: 0,
        ignored: 0,
        duplicate: 0,
        beforeSend: 0,
        beforeSendError: 0,
        beforeSendSpan: 0,
        beforeBreadcrumb: 0,
        exporterRejected: 0,
      },
      exporters: {},
    };
    if (!this.enabled) {
      this.debug.once('no-key', 'no API key or exporter configured: Sightline is disabled (a no-op)');
      return;
    }
    if (
      options.apiKey &&
      !options.allowInsecureTransport &&
      options.host.startsWith('http:') &&
      !isLoopbackHost(options.host) &&
      !warnedInsecureHosts.has(options.host)
    ) {
      // Said once per host and process, whether or not debug is on (init() again with the same
      // host says nothing new): the key is about to cross a network in clear text.
      warnedInsecureHosts.add(options.host);
      process.emitWarning(
        'Sightline host uses plain http on a non-loopback address: the API key travels unencrypted. Use https, or set allowInsecureTransport: true.',
        {
          code: 'SIGHTLINE_INSECURE_HOST',
        },
      );
    }
    for (const e of exporters) {
      try {
        e.setup?.({ options, debug: this.debug, sdkVersion: SDK_VERSION, client: this });
      } catch (err) {
        this.debug.log(`exporter ${e.name} setup failed: ${String((err as Error)?.message ?? err)}`);
      }
    }
    this.debug.log(`initialized; exporters: ${exporters.map((e) => e.name).join(', ')}`);
  }

  // ── dispatch ────────────────────────────────────────────────────────────────────────────

  /** Hands an item to every exporter that takes its kind. O(exporters); never throws. */
  dispatch<K extends ItemKind>(kind: K, item: ItemKinds[K]): void {
    if (this.closed) return;
    this.stats.captured[kind]++;
    const targets = this.routes[kind];
    for (let i = 0; i < targets.length; i++) {
      try {
        if (!targets[i]!.export(kind, item)) this.stats.dropped.exporterRejected++;
      } catch (err) {
        this.stats.dropped.exporterRejected++;
        this.debug.log(`exporter ${targets[i]!.name} threw: ${String((err as Error)?.message ?? err)}`);
      }
    }
  }

  wants(kind: ItemKind): boolean {
    return this.routes[kind].length > 0 && !this.closed;
  }

  // ── errors ──────────────────────────────────────────────────────────────────────────────

  /** Builds, filters and sends an error event. Returns its id, or undefined when not sent. */
  captureException(
    thrown: unknown,
    hint: EventHint | undefined,
    hub: Hub,
    span: Span | undefined,
  ): string | undefined {
    if (!this.enabled || this.closed) return undefined;
    try {
      if (typeof thrown === 'object' && thrown !== null) {
        // The same error reaching a handler, a filter and a process hook is reported once.
        if (this.capturedErrors.has(thrown)) return undefined;
        this.capturedErrors.add(thrown);
      }
      const synthetic = thrown instanceof Error ? undefined : new Error().stack;
      const exception = exceptionFromThrowable(thrown, this.stackOptions, synthetic);
      const causes = causeChain(thrown, this.stackOptions);
      return this.processEvent(exception, causes, hint, hub.scope, span);
    } catch (err) {
      this.debug.log(`captureException failed: ${String((err as Error)?.message ?? err)}`);
      return undefined;
    }
  }

  captureMessage(
    message: string,
    level: SeverityLevel,
    hub: Hub,
    span: Span | undefined,
  ): string | undefined {
    if (!this.enabled || this.closed) return undefined;
    try {
      // Cut like exception messages: a megabyte message must not be scrubbed and sent whole.
      const exception: ExceptionModel = {
        type: 'Message',
        value: truncateMessage(String(message)),
        frames: [],
      };
      if (this.options.attachStacktrace) {
        exception.frames = exceptionFromThrowable(new Error(message), this.stackOptions).frames;
      }
      return this.processEvent(exception, [], { level, handled: true }, hub.scope, span);
    } catch (err) {
      this.debug.log(`captureMessage failed: ${String((err as Error)?.message ?? err)}`);
      return undefined;
    }
  }

  private processEvent(
    exception: ExceptionModel,
    causes: ExceptionModel[],
    hint: EventHint | undefined,
    scope: Scope,
    span: Span | undefined,
  ): string | undefined {
    const o = this.options;
    if (o.sampleRate < 1 && Math.random() >= o.sampleRate) {
      this.stats.dropped.sampleRate++;
      return undefined;
    }
    if (this.isIgnored(exception)) {
      this.stats.dropped.ignored++;
      return undefined;
    }
    const prop = scope.propagation;
    const traceId = span?.traceId ?? prop?.traceId;
    const signature = `${exceptionSignature(exception)}\u0000${scope.requestId ?? ''}\u0000${traceId ?? ''}`;
    if (signature === this.lastSignature) {
      this.stats.dropped.duplicate++;
      return undefined;
    }
    this.lastSignature = signature;

    const requested = hint?.level ?? scope.level;
    // JS callers can pass anything; the wire only takes real severities.
    const level =
      requested !== undefined && SEVERITIES.has(requested)
        ? requested
        : hint?.handled === false
          ? 'fatal'
          : 'error';
    const tags = hint?.tags ? { ...scope.tags, ...hint.tags } : { ...scope.tags };
    const event: ErrorEvent = {
      eventId: newUuid(),
      timestamp: Date.now(),
      level,
      exception,
      causes,
      handled: hint?.handled ?? true,
      mechanism: hint?.mechanism,
      environment: o.environment,
      release: o.release,
      serverName: o.serverName,
      service: o.service,
      sessionId: scope.sessionId ?? this.session?.sessionId,
      traceId,
      spanId: span?.spanId,
      parentSpanId: span ? span.parentSpanId : prop?.parentSpanId,
      requestId: scope.requestId,
      user: hint?.user ?? scope.user,
      request: scope.request ? { ...scope.request } : undefined,
      breadcrumbs: scope.breadcrumbs.slice(),
      tags,
      extras: hint?.extra ? { ...scope.extras, ...hint.extra } : { ...scope.extras },
      contexts: { ...scope.contexts },
      fingerprint: hint?.fingerprint ?? scope.fingerprint,
    };
    if (exception.type !== 'Message' || level === 'error' || level === 'fatal') {
      if (event.handled) this.sessionFor(scope)?.markErrored();
      else this.sessionFor(scope)?.markCrashed();
    }

    const inApp = exception.frames.some((f) => f.inApp) || causes.some((c) => c.frames.some((f) => f.inApp));
    const before = this.eventTail;
    if (!inApp && !before) {
      this.finishEvent(event);
    } else {
      // Source lines are read off the capture path (in parallel); events still leave in capture
      // order, so each one waits for the event before it. flush() waits for these.
      const frames = inApp ? exception.frames.concat(...causes.map((c) => c.frames)) : undefined;
      const context = frames ? this.sourceContext.addContext(frames).catch(() => undefined) : undefined;
      const p = Promise.all([context, before]).then(() => this.finishEvent(event));
      this.eventTail = p;
      this.pending.add(p);
      void p.finally(() => {
        this.pending.delete(p);
        if (this.eventTail === p) this.eventTail = undefined;
      });
    }
    return event.eventId;
  }

  private isIgnored(ex: ExceptionModel): boolean {
    const list = this.options.ignoreErrors;
    return list.length > 0 && matchesAny(list, `${ex.type}: ${ex.value}`);
  }

  private finishEvent(event: ErrorEvent): void {
    let out: ErrorEvent | null = this.options.sendDefaultPii
      ? this.normalizeEvent(event)
      : this.scrubEvent(event);
    const before = this.options.beforeSend;
    if (before) {
      try {
        out = before(out);
      } catch (err) {
        this.debug.log(`beforeSend threw: ${String((err as Error)?.message ?? err)}`);
        if (!this.options.beforeSendFailOpen) {
          this.stats.dropped.beforeSendError++;
          return;
        }
      }
      if (out === null || typeof out !== 'object') {
        this.stats.dropped.beforeSend++;
        return;
      }
    }
    this.dispatch('error', out);
  }

  /**
   * Without scrubbing, structured data still goes through the normalizer and its bounds: cyclic
   * or BigInt breadcrumb data would otherwise make the encoder throw and lose the whole event,
   * and an extra holding a 10 MB Buffer would be JSON-encoded whole (seconds, then a 413).
   */
  private normalizeEvent(e: ErrorEvent): ErrorEvent {
    const opts = { scrub: false };
    return {
      ...e,
      user: e.user ? (normalize(e.user, opts) as ErrorEvent['user']) : undefined,
      breadcrumbs: e.breadcrumbs.map((b) => normalize(b, opts) as Breadcrumb),
      tags: normalizeRecord(e.tags, opts) as Record<string, string>,
      extras: normalizeRecord(e.extras, opts) ?? {},
      contexts: (normalize(e.contexts, opts) as ErrorEvent['contexts']) ?? {},
    };
  }

  private scrubEvent(e: ErrorEvent): ErrorEvent {
    const opts = { scrub: true };
    const scrubEx = (x: ExceptionModel): ExceptionModel => ({
      type: x.type,
      value: scrubString(x.value),
      frames: x.frames.map((f) =>
        f.contextLine === undefined
          ? f
          : {
              ...f,
              contextLine: scrubString(f.contextLine),
              preContext: f.preContext?.map(scrubString),
              postContext: f.postContext?.map(scrubString),
            },
      ),
    });
    return {
      ...e,
      exception: scrubEx(e.exception),
      causes: e.causes.map(scrubEx),
      user: e.user ? (normalize(e.user, opts) as ErrorEvent['user']) : undefined,
      request: e.request
        ? { ...e.request, path: e.request.path ? scrubUrl(e.request.path) : e.request.path }
        : undefined,
      breadcrumbs: e.breadcrumbs.map((b) => normalize(b, opts) as Breadcrumb),
      tags: normalizeRecord(e.tags, opts) as Record<string, string>,
      extras: normalizeRecord(e.extras, opts) ?? {},
      contexts: (normalize(e.contexts, opts) as ErrorEvent['contexts']) ?? {},
    };
  }

  // ── breadcrumbs ─────────────────────────────────────────────────────────────────────────

  addBreadcrumb(crumb: Breadcrumb, scope: Scope): void {
    let c: Breadcrumb | null = crumb.timestamp === undefined ? { ...crumb, timestamp: Date.now() } : crumb;
    const before = this.options.beforeBreadcrumb;
    if (before) {
      try {
        c = before(c);
      } catch {
        c = null;
      }
      if (!c) {
        this.stats.dropped.beforeBreadcrumb++;
        return;
      }
    }
    scope.maxBreadcrumbs = this.options.maxBreadcrumbs;
    scope.addBreadcrumb(c);
  }

  // ── logs ────────────────────────────────────────────────────────────────────────────────

  /**
   * Sends one log record. Trace, span and request ids come from `span` and the hub's scope,
   * unless `ids` names them explicitly (a logger worker thread has no request context, only the
   * ids the main thread stamped on the record).
   */
  captureLog(
    level: LogLevel,
    message: string,
    attributes: Record<string, unknown> | undefined,
    hub: Hub,
    span: Span | undefined,
    ids?: { traceId?: string; spanId?: string; requestId?: string },
  ): void {
    if (!this.enabled || this.closed || this.routes.log.length === 0) return;
    try {
      const o = this.options;
      const scrub = !o.sendDefaultPii;
      const scope = hub.scope;
      const msg = typeof message === 'string' ? message : String(message);
      const record: LogRecord = {
        timestamp: Date.now(),
        level,
        message: scrub ? scrubString(truncateLog(msg)) : truncateLog(msg),
        attributes: attributes ? normalizeRecord(attributes, { scrub }) : undefined,
        service: o.service,
        environment: o.environment,
        release: o.release,
        traceId: ids?.traceId ?? span?.traceId ?? scope.propagation?.traceId,
        spanId: ids?.spanId ?? span?.spanId,
        requestId: ids?.requestId ?? scope.requestId,
        userId: scope.user?.id,
      };
      this.dispatch('log', record);
    } catch (err) {
      this.debug.log(`log capture failed: ${String((err as Error)?.message ?? err)}`);
    }
  }

  // ── spans ───────────────────────────────────────────────────────────────────────────────

  captureSpan(span: Span): void {
    if (!this.enabled || this.closed || this.routes.span.length === 0) return;
    try {
      const o = this.options;
      let tags = span.tags ?? {};
      let data = span.data;
      if (!o.sendDefaultPii) {
        if (!onlyPlainTags(tags)) tags = normalizeRecord(tags, { scrub: true }) as Record<string, string>;
        if (data) data = normalizeRecord(data, { scrub: true });
      } else if (data) {
        data = normalizeRecord(data, { scrub: false });
      }
      let record: SpanRecord | null = {
        traceId: span.traceId,
        spanId: span.spanId,
        parentSpanId: span.parentSpanId,
        name: span.name,
        description: span.description,
        kind: span.kind,
        status: span.status ?? 'ok',
        startTime: span.startTime,
        endTime: span.endTime ?? span.startTime,
        sampled: span.sampled,
        traceFlags: span.traceFlags,
        traceState: span.traceState,
        tags,
        data,
        events: span.events,
        request: span.request ? scrubRequest(span.request, !o.sendDefaultPii) : undefined,
        propagationData: span.propagationData,
        localRootSpanId: span.localRoot.spanId,
        service: o.service,
        environment: o.environment,
        release: o.release,
      };
      if (o.beforeSendSpan) {
        try {
          record = o.beforeSendSpan(record);
        } catch {
          record = null;
        }
        if (!record) {
          this.stats.dropped.beforeSendSpan++;
          return;
        }
      }
      this.dispatch('span', record);
    } catch (err) {
      this.debug.log(`span capture failed: ${String((err as Error)?.message ?? err)}`);
    }
  }

  // ── sessions ────────────────────────────────────────────────────────────────────────────

  sendSessionStart(start: SessionStartRecord): void {
    this.dispatch('session-start', start);
  }

  sendSessionEnd(end: SessionEndRecord): void {
    this.dispatch('session-end', end);
  }

  /** The application session (started by `init` when a release is known). */
  getSession(): Session | undefined {
    return this.session;
  }

  /** Starts a new application session, ending the current one as `ok` (or its current status). */
  startSession(userId?: string): Session | undefined {
    if (!this.enabled || this.closed || !this.options.release) return undefined;
    this.session?.end();
    this.session = new Session(this, this.options.release, this.options.environment, userId);
    return this.session;
  }

  endSession(status?: SessionEndRecord['status']): void {
    this.session?.end(status);
    this.session = undefined;
  }

  /** A request-mode session for one inbound request, or undefined in application mode. */
  startRequestSession(): Session | undefined {
    const o = this.options;
    if (!this.enabled || this.closed || !o.release || !o.autoSessionTracking || o.sessionMode !== 'request')
      return undefined;
    return new Session(this, o.release, o.environment);
  }

  private readonly requestSessions = new Map<string, Session>();

  /** Binds a request-mode session to its scope so errors in the request mark it. */
  bindRequestSession(scope: Scope, session: Session): void {
    scope.sessionId = session.sessionId;
    this.requestSessions.set(session.sessionId, session);
  }

  releaseRequestSession(session: Session): void {
    this.requestSessions.delete(session.sessionId);
  }

  sessionFor(scope: Scope): Session | undefined {
    return (scope.sessionId ? this.requestSessions.get(scope.sessionId) : undefined) ?? this.session;
  }

  // ── lifecycle ───────────────────────────────────────────────────────────────────────────

  /** Waits for source-context reads, then for every exporter. Never rejects. */
  async flush(timeoutMs = this.options.shutdownTimeout): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    if (this.pending.size > 0) {
      const ok = await withTimeout(
        Promise.all([...this.pending]).then(() => true),
        timeoutMs,
      );
      if (!ok) return false;
    }
    const left = Math.max(0, deadline - Date.now());
    const results = await Promise.all(
      this.exporters.map((e) =>
        withTimeout(
          safeCall(() => e.flush(left)),
          left,
        ),
      ),
    );
    return results.every(Boolean);
  }

  /** Ends the application session, flushes, then stops every exporter. */
  async close(timeoutMs = this.options.shutdownTimeout): Promise<boolean> {
    if (this.closed) return true;
    this.endSession();
    const deadline = Date.now() + timeoutMs;
    const flushed = await this.flush(timeoutMs);
    this.closed = true;
    for (const t of this.teardowns.splice(0)) {
      try {
        t();
      } catch {}
    }
    const left = Math.max(0, deadline - Date.now());
    const results = await Promise.all(
      this.exporters.map((e) =>
        withTimeout(
          safeCall(() => e.close(left)),
          left,
        ),
      ),
    );
    return flushed && results.every(Boolean);
  }

  private readonly teardowns: (() => void)[] = [];

  /** Registers work to undo at close (integrations unsubscribing, listeners removed). */
  addTeardown(fn: () => void): void {
    this.teardowns.push(fn);
  }

  isClosed(): boolean {
    return this.closed;
  }

  getStats(): ClientStats {
    const exporters: Record<string, unknown> = {};
    for (const e of this.exporters) {
      try {
        exporters[e.name] = e.getStats();
      } catch {
        exporters[e.name] = undefined;
      }
    }
    return {
      ...this.stats,
      captured: { ...this.stats.captured },
      dropped: { ...this.stats.dropped },
      exporters,
    };
  }
}

// Tags the SDK sets from code-defined values (framework name, method, route template, status):
// nothing in them for the scrubber, and every server span carries them. Span tags are strings
// already (`setTag` stores `String(value)`) and frozen once the span ended, so they can be shared.
const PLAIN_TAGS: ReadonlySet<string> = new Set([
  'framework',
  'http.method',
  'http.route',
  'http.status_code',
  'http.aborted',
]);

function onlyPlainTags(tags: Record<string, string>): boolean {
  for (const k in tags) {
    const v = tags[k];
    if (!PLAIN_TAGS.has(k) || typeof v !== 'string' || v.length > 512) return false;
  }
  return true;
}

function scrubRequest(r: RequestContext, scrub: boolean): RequestContext {
  const copy = { ...r };
  if (scrub && copy.path) copy.path = scrubUrl(copy.path);
  return copy;
}

const MAX_LOG_MESSAGE = 16_384;
function truncateLog(s: string): string {
  return s.length > MAX_LOG_MESSAGE ? `${s.slice(0, MAX_LOG_MESSAGE)}…` : s;
}

function safeAccepts(e: Exporter, k: ItemKind): boolean {
  try {
    return e.accepts(k);
  } catch {
    return false;
  }
}

async function safeCall(fn: () => Promise<boolean>): Promise<boolean> {
  try {
    return await fn();
  } catch {
    return false;
  }
}

/** Resolves `false` if `p` has not settled within `ms`; the timer does not hold the process. */
export function withTimeout(p: Promise<boolean>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(false), ms);
    t.unref();
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      () => {
        clearTimeout(t);
        resolve(false);
      },
    );
  });
}
