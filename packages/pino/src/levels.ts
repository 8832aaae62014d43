import type { LevelRoute, LogLevel } from '@sightline/core';

/** A pino level name (`trace`…`fatal`, or a name from `customLevels`), a level number, or `false` (never). */
export type LevelThreshold = string | number | false;

/** Resolved thresholds as level numbers (`Infinity` for "never"). */
export interface Thresholds {
  log: number;
  breadcrumb: number;
  event: number;
}

const STANDARD: ReadonlyMap<string, number> = new Map([
  ['trace', 10],
  ['debug', 20],
  ['info', 30],
  ['warn', 40],
  ['warning', 40],
  ['error', 50],
  ['fatal', 60],
]);

/** Level number of a name, from the standard set or `customLevels`. */
export function levelNumber(
  name: string,
  custom: Readonly<Record<string, number>> | undefined,
): number | undefined {
  const c = custom !== undefined && Object.hasOwn(custom, name) ? custom[name] : undefined;
  return typeof c === 'number' ? c : STANDARD.get(name);
}

/** Validates one threshold option once, at the factory. */
export function resolveThreshold(
  option: string,
  value: unknown,
  fallback: number,
  custom: Readonly<Record<string, number>> | undefined,
): number {
  if (value === undefined) return fallback;
  if (value === false) return Number.POSITIVE_INFINITY;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const n = levelNumber(value, custom);
    if (n !== undefined) return n;
  }
  throw new TypeError(`Invalid \`${option}\`: must be a pino level name, a level number or false`);
}

export function checkCustomLevels(v: unknown): Readonly<Record<string, number>> | undefined {
  if (v === undefined) return undefined;
  if (
    typeof v === 'object' &&
    v !== null &&
    Object.values(v).every((n) => typeof n === 'number' && Number.isFinite(n))
  ) {
    return Object.freeze({ ...(v as Record<string, number>) });
  }
  throw new TypeError('Invalid `customLevels`: must be an object of level names to numbers');
}

/** pino's numbers onto Sightline levels: trace 10 and debug 20 → debug, …, fatal 60 → fatal; custom numbers by range. */
export function sightlineLevel(n: number): LogLevel {
  if (n < 30) return 'debug';
  if (n < 40) return 'info';
  if (n < 50) return 'warn';
  if (n < 60) return 'error';
  return 'fatal';
}

/** The level number of a record's `level` field: a number, or a label from `formatters.level`. */
export function recordLevel(
  v: unknown,
  custom: Readonly<Record<string, number>> | undefined,
): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') return levelNumber(v, custom);
  return undefined;
}

/** True when a record of this level number is routed anywhere. */
export function routed(n: number, t: Thresholds): boolean {
  return n >= t.log || n >= t.breadcrumb || n >= t.event;
}

export function routeOf(n: number, t: Thresholds): LevelRoute {
  const event = n >= t.event;
  return { level: sightlineLevel(n), log: n >= t.log, breadcrumb: !event && n >= t.breadcrumb, event };
}
