import {
  type Breadcrumb,
  type ErrorEvent,
  type ExceptionModel,
  type StackFrameModel,
  stackTraceLines,
} from '@sightline/core';
import type {
  ErrSightBreadcrumb,
  ErrSightCause,
  ErrSightEvent,
  ErrSightFrame,
  ErrSightLevel,
  ErrSightMetadata,
  ErrSightUser,
} from './wire.js';

/**
 * Model error event → ErrSight event, within the server's documented limits (it would cut the
 * same fields; cutting them here keeps requests small and predictable).
 */

const LEVEL_RANK: Record<ErrSightLevel, number> = { debug: 0, info: 1, warning: 2, error: 3, fatal: 4 };
export const LEVELS = Object.keys(LEVEL_RANK) as ErrSightLevel[];

export function levelRank(level: ErrSightLevel): number {
  return LEVEL_RANK[level];
}

/** `warn` (loggers, breadcrumbs) is ErrSight's `warning`; unknown levels are `info`, as on the server. */
export function toLevel(level: string | undefined): ErrSightLevel {
  if (level === 'warn') return 'warning';
  return level !== undefined && level in LEVEL_RANK ? (level as ErrSightLevel) : 'info';
}

const MAX_MESSAGE = 10_000;
const MAX_FRAMES = 50;
const MAX_CAUSES = 5;
const MAX_CAUSE_LINES = 20;
const MAX_CONTEXT_LINES = 5;
const MAX_CONTEXT_LINE = 256;
const MAX_BREADCRUMBS = 50;
const MAX_CRUMB_DATA_KEYS = 20;
const MAX_TAGS = 30;

const cut = (s: string, n: number): string => (s.length > n ? s.slice(0, n) : s);
const iso = (ms: number): string => new Date(Number.isFinite(ms) ? ms : Date.now()).toISOString();

function frame(f: StackFrameModel): ErrSightFrame | undefined {
  const filename = f.filename || f.absPath;
  // The server drops frames without a filename.
  if (!filename) return undefined;
  const out: ErrSightFrame = {
    filename,
    abs_path: f.absPath || filename,
    lineno: f.lineno,
    function: f.function || '<anonymous>',
    in_app: f.inApp,
  };
  if (f.inApp && f.contextLine !== undefined) {
    out.pre_context = (f.preContext ?? []).slice(-MAX_CONTEXT_LINES).map((l) => cut(l, MAX_CONTEXT_LINE));
    out.context_line = cut(f.contextLine, MAX_CONTEXT_LINE);
    out.post_context = (f.postContext ?? []).slice(0, MAX_CONTEXT_LINES).map((l) => cut(l, MAX_CONTEXT_LINE));
  }
  return out;
}

/** Node's own `stack` layout: `Type: message` then `    at fn (file:line:col)`, innermost first. */
function backtraceOf(ex: ExceptionModel): string | undefined {
  if (ex.frames.length === 0) return undefined;
  return [`${ex.type}: ${ex.value}`, ...stackTraceLines(ex.frames)].join('\n');
}

function cause(c: ExceptionModel): ErrSightCause {
  const out: ErrSightCause = { class: c.type, message: cut(c.value, MAX_MESSAGE) };
  if (c.frames.length > 0) out.backtrace = stackTraceLines(c.frames).slice(0, MAX_CAUSE_LINES);
  return out;
}

function user(u: ErrorEvent['user']): ErrSightUser | undefined {
  if (!u) return undefined;
  const out: ErrSightUser = {};
  if (u.id !== undefined) out.id = cut(String(u.id), 120);
  if (u.email !== undefined) out.email = cut(String(u.email), 200);
  if (u.username !== undefined) out.username = cut(String(u.username), 120);
  if (u.ip !== undefined) out.ip_address = cut(String(u.ip), 64);
  return Object.keys(out).length > 0 ? out : undefined;
}

function crumb(b: Breadcrumb, fallbackTime: number): ErrSightBreadcrumb {
  const out: ErrSightBreadcrumb = {
    timestamp: iso(b.timestamp ?? fallbackTime),
    category: cut(b.category ?? b.type ?? 'default', 60),
    level: toLevel(b.level),
    message: cut(b.message ?? '', 500),
  };
  if (b.data) {
    const data: Record<string, unknown> = {};
    let n = 0;
    for (const k in b.data) {
      if (n++ >= MAX_CRUMB_DATA_KEYS) break;
      data[k] = b.data[k];
    }
    out.data = data;
  }
  return out;
}

function tags(t: Record<string, string>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let n = 0;
  for (const k in t) {
    if (n++ >= MAX_TAGS) break;
    out[cut(k, 60)] = cut(String(t[k]), 200);
  }
  return n > 0 ? out : undefined;
}

export interface MapContext {
  environment: string | undefined;
  release: string | undefined;
  sdkVersion: string;
}

export function mapEvent(e: ErrorEvent, ctx: MapContext): ErrSightEvent {
  const ex = e.exception;
  const isMessage = ex.type === 'Message';
  // Exception data first: the server keeps only the first 50 metadata keys.
  const metadata: ErrSightMetadata = {};
  if (!isMessage) metadata.exception_class = ex.type;
  const frames: ErrSightFrame[] = [];
  for (const f of ex.frames.slice(-MAX_FRAMES)) {
    const m = frame(f);
    if (m) frames.push(m);
  }
  if (frames.length > 0) metadata.exception_frames = frames;
  if (e.causes.length > 0) metadata.exception_causes = e.causes.slice(0, MAX_CAUSES).map(cause);
  metadata.handled = e.handled;
  if (e.mechanism !== undefined) metadata.mechanism = e.mechanism;
  if (e.traceId !== undefined) metadata.trace_id = e.traceId;
  if (e.spanId !== undefined) metadata.span_id = e.spanId;
  if (e.requestId !== undefined) metadata.request_id = e.requestId;
  if (e.request !== undefined) metadata.request = e.request;
  if (e.service !== undefined) metadata.service = e.service;
  if (e.serverName !== undefined) metadata.server_name = e.serverName;
  metadata.sdk = `sightline-node/${ctx.sdkVersion}`;
  if (Object.keys(e.extras).length > 0) metadata.extra = e.extras;
  if (Object.keys(e.contexts).length > 0) metadata.contexts = e.contexts;

  const out: ErrSightEvent = {
    level: toLevel(e.level),
    message: cut(isMessage ? ex.value : `${ex.type}: ${ex.value}`, MAX_MESSAGE),
    timestamp: iso(e.timestamp),
    metadata,
  };
  const bt = isMessage ? undefined : backtraceOf(ex);
  if (bt !== undefined) out.backtrace = bt;
  const env = ctx.environment ?? e.environment;
  if (env !== undefined) out.environment = env;
  const release = ctx.release ?? e.release;
  if (release !== undefined) out.release = cut(release, 120);
  if (e.fingerprint && e.fingerprint.length > 0) out.fingerprint = e.fingerprint.map(String);
  const u = user(e.user);
  if (u) out.user = u;
  if (e.breadcrumbs.length > 0)
    out.breadcrumbs = e.breadcrumbs.slice(-MAX_BREADCRUMBS).map((b) => crumb(b, e.timestamp));
  const t = tags(e.tags);
  if (t) out.tags = t;
  return out;
}
