import {
  activeContext,
  type CorrelationIds,
  deliverLogRecord,
  getProcessHub,
  type Hub,
  type LoggerBridgeStats,
  type Span,
  zeroLoggerStats,
} from '@sightline/core';
import {
  checkCustomLevels,
  type LevelThreshold,
  recordLevel,
  resolveThreshold,
  routed,
  routeOf,
  type Thresholds,
} from './levels.js';
import { correlationIds, type RecordKeys, readRecord } from './record.js';

/** Asks pino to set `lastLevel`/`lastObj`/… on the stream before each write (pino 8–10, multistream too). */
const METADATA = Symbol.for('pino.metadata');
/** Lines up to this long parse into data already within the SDK's normalization bounds. */
const PLAIN_LINE = 8192;

export interface SightlineStreamOptions {
  /**
   * Records at or above this level become `/logs` records (`false`: none).
   * @default 'info'
   */
  logLevel?: LevelThreshold;
  /**
   * Records at or above this level also become error events: from the record's `err` (stack and
   * cause chain) when it has one, a message event otherwise (`false`: none).
   * @default 'error'
   */
  eventLevel?: LevelThreshold;
  /**
   * Records at or above this level and below `eventLevel` become breadcrumbs on the current
   * request's scope (`false`: none).
   * @default 'info'
   */
  breadcrumbLevel?: LevelThreshold;
  /**
   * Your logger's `customLevels`, so thresholds and `formatters.level` labels can use their names.
   * @default undefined
   */
  customLevels?: Record<string, number>;
  /**
   * Your logger's `messageKey`.
   * @default 'msg'
   */
  messageKey?: string;
  /**
   * Your logger's `errorKey`.
   * @default 'err'
   */
  errorKey?: string;
  /**
   * Longer messages are cut (and counted in `getStats().truncated`).
   * @default 8192
   */
  maxMessageLength?: number;
}

/** Resolved once by `sightlineStream` and the worker transport. */
export interface ResolvedStreamOptions {
  thresholds: Thresholds;
  keys: RecordKeys;
  customLevels: Readonly<Record<string, number>> | undefined;
  maxMessageLength: number;
}

function checkKey(name: string, v: unknown, fallback: string): string {
  if (v === undefined) return fallback;
  if (typeof v === 'string' && v !== '') return v;
  throw new TypeError(`Invalid \`${name}\`: must be a non-empty string`);
}

export function resolveStreamOptions(options: SightlineStreamOptions): ResolvedStreamOptions {
  if (typeof options !== 'object' || options === null)
    throw new TypeError('Invalid `options`: must be an object');
  const customLevels = checkCustomLevels(options.customLevels);
  const max = options.maxMessageLength ?? 8192;
  if (!Number.isInteger(max) || max <= 0)
    throw new TypeError('Invalid `maxMessageLength`: must be a positive integer');
  return {
    thresholds: {
      log: resolveThreshold('logLevel', options.logLevel, 30, customLevels),
      breadcrumb: resolveThreshold('breadcrumbLevel', options.breadcrumbLevel, 30, customLevels),
      event: resolveThreshold('eventLevel', options.eventLevel, 50, customLevels),
    },
    keys: {
      messageKey: checkKey('messageKey', options.messageKey, 'msg'),
      errorKey: checkKey('errorKey', options.errorKey, 'err'),
    },
    customLevels,
    maxMessageLength: max,
  };
}

/** The destination `sightlineStream` returns: pino writes one JSON line per record. */
export interface SightlineStream {
  write(line: string): boolean;
  /** Called by `logger.flush(cb)`: waits until Sightline delivered what was logged. */
  flush(cb?: (err?: Error) => void): void;
  /** What this stream did so far. Send-queue drops are in `client.getStats()`. */
  getStats(): LoggerBridgeStats;
}

class PinoSightlineStream implements SightlineStream {
  [METADATA] = true;
  // Set by pino right before each write(); cleared after use so a stray write never reuses them.
  lastLevel: number | undefined = undefined;
  lastObj: Record<string, unknown> | undefined = undefined;
  lastMsg: unknown = undefined;
  lastTime: unknown = undefined;
  lastLogger: unknown = undefined;
  private readonly stats = zeroLoggerStats();

  constructor(private readonly o: ResolvedStreamOptions) {}

  write(line: string): boolean {
    const level = this.lastLevel;
    const original = this.lastObj;
    this.lastLevel = undefined;
    this.lastObj = undefined;
    this.lastMsg = undefined;
    this.lastLogger = undefined;
    try {
      this.handle(line, level, original);
    } catch {
      this.stats.failed++;
    }
    return true;
  }

  private handle(
    line: string,
    known: number | undefined,
    original: Record<string, unknown> | undefined,
  ): void {
    // pino writes synchronously in the caller's context: this is the request's hub and span.
    const ctx = activeContext();
    const hub = (ctx.hub as Hub | undefined) ?? getProcessHub();
    if (!hub.client?.enabled) return;
    const t = this.o.thresholds;
    if (known !== undefined && !routed(known, t)) return;
    const obj = JSON.parse(typeof line === 'string' ? line : String(line)) as unknown;
    if (typeof obj !== 'object' || obj === null) throw new TypeError('not a record');
    const rec = obj as Record<string, unknown>;
    const level = known ?? recordLevel(rec.level, this.o.customLevels);
    if (level === undefined || !routed(level, t)) return;
    this.stats.records++;
    const read = readRecord(
      rec,
      this.o.keys,
      typeof original === 'object' && original !== null ? original : undefined,
      this.o.maxMessageLength,
    );
    if (read.truncated) this.stats.truncated++;
    // Outside any request (a deferred write, a job that bound ids on a child logger) the ids on
    // the line are the only correlation there is.
    const ids: CorrelationIds | undefined = ctx.hub === undefined ? correlationIds(rec) : undefined;
    deliverLogRecord(
      {
        route: routeOf(level, t),
        message: read.message,
        attributes: read.attributes,
        error: read.error,
        plain: line.length <= PLAIN_LINE,
      },
      { hub, span: ctx.span as Span | undefined, scoped: ctx.hub !== undefined, ids },
      'pino',
      this.stats,
    );
  }

  flush(cb?: (err?: Error) => void): void {
    const done = () => {
      try {
        cb?.();
      } catch {
        // The callback is the caller's; its throw is not ours to surface here.
      }
    };
    const client = getProcessHub().client;
    if (client) client.flush().then(done, done);
    else done();
  }

  getStats(): LoggerBridgeStats {
    return { ...this.stats };
  }
}

/**
 * An in-process pino destination that sends records to Sightline: `/logs` records with the
 * trace, span and request of the request they were logged in, breadcrumbs on that request's
 * scope, and error events. Use it alone or beside stdout in `pino.multistream`. Never throws,
 * never blocks: records go onto the SDK's bounded queue.
 *
 * @example
 * const logger = pino({ mixin: sightlineMixin() }, pino.multistream([{ stream: process.stdout }, { stream: sightlineStream() }]));
 */
export function sightlineStream(options: SightlineStreamOptions = {}): SightlineStream {
  return new PinoSightlineStream(resolveStreamOptions(options));
}
