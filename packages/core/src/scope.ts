import type { Breadcrumb, RequestContext, SeverityLevel, User } from './types.js';

/** Trace data of the current unit of work when no span is active (e.g. an unsampled request). */
export interface PropagationContext {
  traceId: string;
  /** Remote parent span id, `''` for a new root. */
  parentSpanId: string;
  sampled?: boolean;
  traceFlags?: number;
  traceState?: string;
  baggage?: string;
  propagationData?: Readonly<Record<string, string>>;
}

/**
 * What a unit of work knows about itself: user, tags, extras, contexts, breadcrumbs, request,
 * and its trace. `clone()` is shallow and copy-on-write: a forked request scope shares its
 * parent's maps until it first writes to one, so forking per request is a single allocation.
 */
export class Scope {
  user: User | undefined = undefined;
  level: SeverityLevel | undefined = undefined;
  fingerprint: string[] | undefined = undefined;
  propagation: PropagationContext | undefined = undefined;
  request: RequestContext | undefined = undefined;
  requestId: string | undefined = undefined;
  /** Request-mode session bound to this scope. */
  sessionId: string | undefined = undefined;
  maxBreadcrumbs = 100;

  private _tags: Record<string, string> = {};
  private _extras: Record<string, unknown> = {};
  private _contexts: Record<string, Record<string, unknown>> = {};
  private _breadcrumbs: Breadcrumb[] = [];
  // Bit set of maps still shared with the scope this one was cloned from.
  private _shared = 0;

  clone(): Scope {
    const s = new Scope();
    s.user = this.user;
    s.level = this.level;
    s.fingerprint = this.fingerprint;
    s.propagation = this.propagation;
    s.request = this.request;
    s.requestId = this.requestId;
    s.sessionId = this.sessionId;
    s.maxBreadcrumbs = this.maxBreadcrumbs;
    s._tags = this._tags;
    s._extras = this._extras;
    s._contexts = this._contexts;
    s._breadcrumbs = this._breadcrumbs;
    s._shared = 0b1111;
    // The parent must not write into maps its child now shares either.
    this._shared = 0b1111;
    return s;
  }

  get tags(): Readonly<Record<string, string>> {
    return this._tags;
  }
  get extras(): Readonly<Record<string, unknown>> {
    return this._extras;
  }
  get contexts(): Readonly<Record<string, Record<string, unknown>>> {
    return this._contexts;
  }
  get breadcrumbs(): readonly Breadcrumb[] {
    return this._breadcrumbs;
  }

  setUser(user: User | null): void {
    this.user = user ?? undefined;
  }

  setTag(key: string, value: string | number | boolean): void {
    if (this._shared & 1) {
      this._tags = { ...this._tags };
      this._shared &= ~1;
    }
    this._tags[key] = String(value);
  }

  setExtra(key: string, value: unknown): void {
    if (this._shared & 2) {
      this._extras = { ...this._extras };
      this._shared &= ~2;
    }
    this._extras[key] = value;
  }

  setContext(name: string, context: Record<string, unknown> | null): void {
    if (this._shared & 4) {
      this._contexts = { ...this._contexts };
      this._shared &= ~4;
    }
    if (context === null) delete this._contexts[name];
    else this._contexts[name] = context;
  }

  addBreadcrumb(crumb: Breadcrumb): void {
    if (this.maxBreadcrumbs <= 0) return;
    if (this._shared & 8) {
      this._breadcrumbs = this._breadcrumbs.slice(-this.maxBreadcrumbs);
      this._shared &= ~8;
    }
    if (this._breadcrumbs.length >= this.maxBreadcrumbs) this._breadcrumbs.shift();
    this._breadcrumbs.push(crumb);
  }

  clearBreadcrumbs(): void {
    this._breadcrumbs = [];
    this._shared &= ~8;
  }
}
