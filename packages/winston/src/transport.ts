import {
  activeContext,
  type BridgedRecord,
  deliverLogRecord,
  getProcessHub,
  type Hub,
  type LevelRoute,
  type LoggerBridgeStats,
  type Span,
  zeroLoggerStats,
} from '@sightline/core';
import TransportStream from 'winston-transport';
import { capturedContext } from './correlation.js';
import { buildRoutes, gateLevel, type LevelThreshold, NPM_LEVELS } from './levels.js';
import { readInfo } from './record.js';

const LEVEL = Symbol.for('level');

export interface SightlineTransportOptions
  extends Omit<TransportStream.TransportStreamOptions, 'level' | 'log' | 'logv' | 'close'> {
  /**
   * Records at or above this level become `/logs` records. A level name of the logger's set
   * (`http`, `notice`, a custom name) or a Sightline level (`debug|info|warn|error|fatal`);
   * `false` sends no logs. This is the transport's level: it applies whatever the logger's own
   * level is, like `level` on any winston transport.
   * @default 'info'
   */
  logLevel?: LevelThreshold;
  /**
   * Records at or above this level also become error events (with the record's Error, its stack
   * and cause chain, when it carries one; a message event otherwise). `false`: no events.
   * @default 'error'
   */
  eventLevel?: LevelThreshold;
  /**
   * Records at or above this level and below `eventLevel` become breadcrumbs on the current
   * scope, attached to the next error of the same request. `false`: no breadcrumbs.
   * @default 'info'
   */
  breadcrumbLevel?: LevelThreshold;
  /**
   * Longer messages are cut (and counted in `getStats().truncated`).
   * @default 8192
   */
  maxMessageLength?: number;
}

function checkThreshold(name: string, v: unknown): LevelThreshold | undefined {
  if (v === undefined || v === false || (typeof v === 'string' && v !== ''))
    return v as LevelThreshold | undefined;
  throw new TypeError(`Invalid \`${name}\`: must be a level name or false`);
}

/**
 * A winston transport that sends records to Sightline: `/logs` records carrying the trace, span
 * and request of the request they were logged in, breadcrumbs, and error events. It never
 * blocks or throws: records are handed to the SDK's bounded queue and the callback runs at once.
 *
 * @example
 * const logger = winston.createLogger({ transports: [new winston.transports.Console(), new SightlineTransport()] });
 */
export class SightlineTransport extends TransportStream {
  private readonly thresholds: { log: LevelThreshold; breadcrumb: LevelThreshold; event: LevelThreshold };
  private readonly maxMessageLength: number;
  private readonly explicitLevel: boolean;
  private routeSet: Readonly<Record<string, number>> | undefined;
  private routes: Map<string, LevelRoute> = new Map();
  private readonly stats: LoggerBridgeStats = zeroLoggerStats();

  constructor(options: SightlineTransportOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw new TypeError('Invalid `options`: must be an object');
    const log = checkThreshold('logLevel', options.logLevel) ?? 'info';
    const event = checkThreshold('eventLevel', options.eventLevel) ?? 'error';
    const breadcrumb = checkThreshold('breadcrumbLevel', options.breadcrumbLevel) ?? 'info';
    const max = options.maxMessageLength ?? 8192;
    if (!Number.isInteger(max) || max <= 0)
      throw new TypeError('Invalid `maxMessageLength`: must be a positive integer');
    const { logLevel: _l, eventLevel: _e, breadcrumbLevel: _b, maxMessageLength: _m, ...stream } = options;
    super(stream);
    this.explicitLevel = (options as { level?: unknown }).level !== undefined;
    this.thresholds = { log, breadcrumb, event };
    this.maxMessageLength = max;
    this.useLevels(NPM_LEVELS);
    // winston tells a transport its logger's level set when it is added (see winston-transport).
    this.on('pipe', (logger: { levels?: Record<string, number> }) => {
      if (logger && typeof logger.levels === 'object' && logger.levels !== null)
        this.useLevels(logger.levels);
    });
  }

  private useLevels(levels: Readonly<Record<string, number>>): void {
    if (levels === this.routeSet) return;
    this.routeSet = levels;
    this.routes = buildRoutes(levels, this.thresholds);
    if (!this.explicitLevel) this.level = gateLevel(levels, this.routes);
  }

  /** Called by winston for each record at or above the transport's level. */
  override log(info: Record<string | symbol, unknown>, callback: () => void): void {
    try {
      this.handle(info);
    } catch {
      this.stats.failed++;
    }
    if (this.listenerCount('logged') > 0) setImmediate(() => this.emit('logged', info)).unref();
    callback();
  }

  private handle(info: Record<string | symbol, unknown>): void {
    const route = this.routes.get(String(info[LEVEL] ?? info.level));
    if (route === undefined || !(route.log || route.breadcrumb || route.event)) return;
    const ctx = capturedContext(info) ?? activeContext();
    const hub = (ctx.hub as Hub | undefined) ?? getProcessHub();
    if (!hub.client?.enabled) return;
    this.stats.records++;
    const read = readInfo(info as Record<string, unknown>, this.maxMessageLength);
    if (read.truncated) this.stats.truncated++;
    const record: BridgedRecord = {
      route,
      message: read.message,
      attributes: read.attributes,
      error: read.error,
    };
    deliverLogRecord(
      record,
      { hub, span: ctx.span as Span | undefined, scoped: ctx.hub !== undefined },
      'winston',
      this.stats,
    );
  }

  /** What this transport did so far. Send-queue drops are in `client.getStats()`. */
  getStats(): LoggerBridgeStats {
    return { ...this.stats };
  }
}
