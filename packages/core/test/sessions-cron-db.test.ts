import { describe, expect, it, vi } from 'vitest';
import { captureCheckIn, captureDbQuery, captureException, endSession, startSession, withMonitor } from '../src/api.js';
import { startSpan } from '../src/tracing/api.js';
import { useIngest } from './helpers/setup.js';

const t = useIngest();

describe('sessions', () => {
  it('application mode: starts at init with a release, ends ok at close', async () => {
    t.start({ release: '3.1.0', environment: 'prod', autoSessionTracking: true });
    const [start] = await t.server.waitFor('sessions/start', 1);
    expect(start).toMatchObject({ release: '3.1.0', environment: 'prod', sdkName: 'sightline-node', platform: 'node' });
    const [rel] = await t.server.waitFor('releases', 1);
    expect(rel).toEqual({ version: '3.1.0', environment: 'prod' });
    await t.client.close(2000);
    const [end] = await t.server.waitFor('sessions/end', 1);
    expect(end).toMatchObject({ sessionId: start.sessionId, status: 'ok' });
    expect(Number.isInteger(end.durationMs)).toBe(true);
  });

  it('ok → errored on a handled error; crashed wins; events carry the session id', async () => {
    t.start({ release: '3.1.0', autoSessionTracking: true });
    captureException(new Error('handled'));
    const [e] = await t.server.waitFor('errors', 1);
    const [start] = await t.server.waitFor('sessions/start', 1);
    expect(e.sessionId).toBe(start.sessionId);
    captureException(new Error('crash'), { handled: false });
    endSession('abnormal');
    const [end] = await t.server.waitFor('sessions/end', 1);
    expect(end.status).toBe('crashed');
  });

  it('no release: no session; startSession by hand ends the previous one', async () => {
    // pnpm sets npm_package_version for scripts, which would give a release.
    vi.stubEnv('npm_package_version', '');
    t.start({ autoSessionTracking: true });
    vi.unstubAllEnvs();
    await t.client.flush(1000);
    expect(t.server.items('sessions/start')).toHaveLength(0);
    await t.client.close();
    t.start({ release: '1.0.0', autoSessionTracking: true });
    startSession();
    await t.client.flush(1000);
    expect(t.server.items('sessions/start')).toHaveLength(2);
    expect(t.server.items('sessions/end')).toHaveLength(1);
  });

  it('request mode starts no process session', async () => {
    t.start({ release: '1.0.0', autoSessionTracking: true, sessionMode: 'request' });
    await t.client.flush(1000);
    expect(t.server.items('sessions/start')).toHaveLength(0);
  });
});

describe('cron heartbeats', () => {
  it('withMonitor sends success with a duration, failed with the message, and rethrows', async () => {
    t.start();
    expect(withMonitor('nightly-sync', () => 5)).toBe(5);
    await expect(withMonitor('nightly-report', async () => { throw new Error('db down'); })).rejects.toThrow('db down');
    captureCheckIn({ slug: 'manual', status: 'success', durationMs: 12 });
    const beats = await t.server.waitFor('heartbeat', 3);
    expect(beats.find((b) => b.slug === 'nightly-sync')).toMatchObject({ status: 'success' });
    expect(beats.find((b) => b.slug === 'nightly-report')).toMatchObject({ status: 'failed', message: 'db down' });
    expect(beats.find((b) => b.slug === 'manual')).toEqual({ slug: 'manual', status: 'success', durationMs: 12 });
  });
});

describe('db queries', () => {
  it('normalizes, hashes and links queries to the active trace', async () => {
    t.start();
    let traceId = '';
    startSpan('handler', (s) => {
      traceId = s.traceId;
      captureDbQuery({ query: "SELECT * FROM users WHERE id = 42 AND name = 'bob'", durationMs: 3, databaseType: 'postgresql' });
      captureDbQuery({ query: 'UPDATE users SET n = 1', durationMs: 1, error: new Error('deadlock') });
    });
    const queries = await t.server.waitFor('db', 2);
    expect(queries[0]).toMatchObject({
      normalizedQuery: 'SELECT * FROM users WHERE id = ? AND name = ?',
      queryType: 'SELECT',
      status: 'success',
      databaseType: 'postgresql',
      traceId,
      rowsAffected: -1,
    });
    expect(queries[0].queryHash).toMatch(/^[0-9a-f]{16}$/);
    expect(queries[1]).toMatchObject({ queryType: 'UPDATE', status: 'error', errorMessage: 'deadlock' });
  });
});
