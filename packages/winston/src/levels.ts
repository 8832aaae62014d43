import type { LevelRoute, LogLevel } from '@sightline/core';

/** A threshold: a Winston level name of the logger's level set, a Sightline level, or `false` (never). */
export type LevelThreshold = string | false;

export interface Thresholds {
  log: LevelThreshold;
  breadcrumb: LevelThreshold;
  event: LevelThreshold;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, fatal: 4 };
const BY_RANK: LogLevel[] = ['debug', 'info', 'warn', 'error', 'fatal'];

/** Level names of the npm, syslog and cli sets (and common custom ones) mapped by meaning. */
const BY_NAME: ReadonlyMap<string, LogLevel> = new Map<string, LogLevel>([
  ['emerg', 'fatal'],
  ['emergency', 'fatal'],
  ['alert', 'fatal'],
  ['crit', 'fatal'],
  ['critical', 'fatal'],
  ['fatal', 'fatal'],
  ['panic', 'fatal'],
  ['error', 'error'],
  ['err', 'error'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['notice', 'info'],
  ['info', 'info'],
  ['http', 'info'],
  ['help', 'info'],
  ['data', 'info'],
  ['verbose', 'debug'],
  ['debug', 'debug'],
  ['silly', 'debug'],
  ['trace', 'debug'],
  ['input', 'debug'],
  ['prompt', 'debug'],
]);

/** Sightline level names a threshold may use when the logger's level set lacks that name. */
const SIGHTLINE_NAMES: ReadonlyMap<string, LogLevel> = new Map<string, LogLevel>([
  ['debug', 'debug'],
  ['info', 'info'],
  ['warn', 'warn'],
  ['warning', 'warn'],
  ['error', 'error'],
  ['fatal', 'fatal'],
]);

/** Winston's default (npm) levels, used until the transport learns its logger's set. */
export const NPM_LEVELS: Readonly<Record<string, number>> = Object.freeze({
  error: 0,
  warn: 1,
  info: 2,
  http: 3,
  verbose: 4,
  debug: 5,
  silly: 6,
});

/**
 * Maps every level of a set onto a Sightline level. Known names map by meaning; a custom name
 * takes the level of the nearest known level at or below its severity (never inflating it), and a
 * set without any known name is spread evenly from error down to debug.
 */
export function mapLevelSet(levels: Readonly<Record<string, number>>): Map<string, LogLevel> {
  const names = Object.keys(levels).filter((n) => typeof levels[n] === 'number');
  const out = new Map<string, LogLevel>();
  const anchors: [number, LogLevel][] = [];
  for (const n of names) {
    const known = BY_NAME.get(n.toLowerCase());
    if (known) {
      out.set(n, known);
      anchors.push([levels[n]!, known]);
    }
  }
  if (anchors.length === 0) {
    const sorted = names.slice().sort((a, b) => levels[a]! - levels[b]!);
    const span = Math.max(1, sorted.length - 1);
    for (let i = 0; i < sorted.length; i++) out.set(sorted[i]!, BY_RANK[3 - Math.round((i / span) * 3)]!);
    return out;
  }
  for (const n of names) {
    if (out.has(n)) continue;
    // Winston priorities grow as severity falls: the nearest anchor with a priority >= ours.
    const p = levels[n]!;
    let best: [number, LogLevel] | undefined;
    for (const a of anchors) if (a[0] >= p && (best === undefined || a[0] < best[0])) best = a;
    out.set(n, best ? best[1] : 'debug');
  }
  return out;
}

/** True when a record of level `name` is at or above `threshold`. */
function atOrAbove(
  name: string,
  threshold: LevelThreshold,
  levels: Readonly<Record<string, number>>,
  mapped: Map<string, LogLevel>,
): boolean {
  if (threshold === false) return false;
  const t = levels[threshold];
  if (typeof t === 'number') return levels[name]! <= t;
  const sl = SIGHTLINE_NAMES.get(threshold.toLowerCase()) ?? mapped.get(threshold);
  if (sl === undefined) return false;
  return RANK[mapped.get(name)!] >= RANK[sl];
}

/** The routing table of one level set: what each level becomes. */
export function buildRoutes(
  levels: Readonly<Record<string, number>>,
  thresholds: Thresholds,
): Map<string, LevelRoute> {
  const mapped = mapLevelSet(levels);
  const routes = new Map<string, LevelRoute>();
  for (const [name, level] of mapped) {
    const event = atOrAbove(name, thresholds.event, levels, mapped);
    routes.set(name, {
      level,
      log: atOrAbove(name, thresholds.log, levels, mapped),
      breadcrumb: !event && atOrAbove(name, thresholds.breadcrumb, levels, mapped),
      event,
    });
  }
  return routes;
}

/**
 * The least severe level that is routed anywhere, used as the transport's Winston `level` so
 * that records below the logger's own level still reach it when a threshold asks for them.
 */
export function gateLevel(
  levels: Readonly<Record<string, number>>,
  routes: Map<string, LevelRoute>,
): string | undefined {
  let gate: string | undefined;
  for (const [name, r] of routes) {
    if (!(r.log || r.breadcrumb || r.event)) continue;
    if (gate === undefined || levels[name]! > levels[gate]!) gate = name;
  }
  return gate;
}
