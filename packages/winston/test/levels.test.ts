import winston from 'winston';
import { describe, expect, it } from 'vitest';
import { buildRoutes, gateLevel, mapLevelSet } from '../src/levels.js';

const defaults = { log: 'info', breadcrumb: 'info', event: 'error' } as const;

describe('level mapping', () => {
  it('maps the npm, syslog and cli sets by meaning', () => {
    expect(Object.fromEntries(mapLevelSet(winston.config.npm.levels))).toEqual({
      error: 'error',
      warn: 'warn',
      info: 'info',
      http: 'info',
      verbose: 'debug',
      debug: 'debug',
      silly: 'debug',
    });
    expect(Object.fromEntries(mapLevelSet(winston.config.syslog.levels))).toEqual({
      emerg: 'fatal',
      alert: 'fatal',
      crit: 'fatal',
      error: 'error',
      warning: 'warn',
      notice: 'info',
      info: 'info',
      debug: 'debug',
    });
    expect(Object.fromEntries(mapLevelSet(winston.config.cli.levels))).toEqual({
      error: 'error',
      warn: 'warn',
      help: 'info',
      data: 'info',
      info: 'info',
      debug: 'debug',
      prompt: 'debug',
      verbose: 'debug',
      input: 'debug',
      silly: 'debug',
    });
  });

  it('maps custom names to the nearest known level at or below their severity', () => {
    expect(Object.fromEntries(mapLevelSet({ error: 0, audit: 1, info: 2, chatter: 3 }))).toEqual({
      error: 'error',
      audit: 'info',
      info: 'info',
      chatter: 'debug',
    });
  });

  it('spreads a set without any known name from error down to debug', () => {
    expect(Object.fromEntries(mapLevelSet({ critical2: 0, important: 1, normal: 2, chatter: 3 }))).toEqual({
      critical2: 'error',
      important: 'warn',
      normal: 'info',
      chatter: 'debug',
    });
  });
});

describe('routes', () => {
  it('splits npm levels into logs, breadcrumbs and events with the defaults', () => {
    const routes = buildRoutes(winston.config.npm.levels, defaults);
    expect(routes.get('error')).toEqual({ level: 'error', log: true, breadcrumb: false, event: true });
    expect(routes.get('warn')).toEqual({ level: 'warn', log: true, breadcrumb: true, event: false });
    expect(routes.get('info')).toEqual({ level: 'info', log: true, breadcrumb: true, event: false });
    // `http` is below `info` in the npm set, although it maps onto Sightline's info.
    expect(routes.get('http')).toEqual({ level: 'info', log: false, breadcrumb: false, event: false });
    expect(gateLevel(winston.config.npm.levels, routes)).toBe('info');
  });

  it('compares Sightline names by mapped severity when the set lacks the name', () => {
    const levels = winston.config.syslog.levels;
    const routes = buildRoutes(levels, { log: 'warn', breadcrumb: false, event: 'fatal' });
    expect(routes.get('warning')?.log).toBe(true);
    expect(routes.get('notice')?.log).toBe(false);
    expect([...routes].filter(([, r]) => r.event).map(([n]) => n)).toEqual(['emerg', 'alert', 'crit']);
    expect([...routes].some(([, r]) => r.breadcrumb)).toBe(false);
    expect(gateLevel(levels, routes)).toBe('warning');
  });

  it('widens the gate to the least severe routed level', () => {
    const levels = winston.config.npm.levels;
    expect(
      gateLevel(levels, buildRoutes(levels, { log: 'error', breadcrumb: 'debug', event: 'error' })),
    ).toBe('debug');
    expect(
      gateLevel(levels, buildRoutes(levels, { log: false, breadcrumb: false, event: false })),
    ).toBeUndefined();
  });
});
