import { init } from '@sightline/core';
import { startSightline } from '@sightline/testkit';
import { describe, expect, it } from 'vitest';
import { MAJORS, startApp } from './helpers/app.js';

describe.each(MAJORS)('SDK state on %s', (_major, factory) => {
  it('serves requests unchanged, without headers or errors, when Sightline is disabled', async () => {
    const client = init({ defaultIntegrations: false });
    expect(client.enabled).toBe(false);
    const app = await startApp(factory);
    try {
      const ok = await fetch(`${app.url}/users/1`);
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ id: '1' });
      expect(ok.headers.get('x-allstak-trace-id')).toBeNull();
      const fail = await fetch(`${app.url}/users/1/fail`);
      expect(fail.status).toBe(500);
      expect(await fail.json()).toMatchObject({ message: 'boom 1' });
      const stream = await fetch(`${app.url}/stream`);
      expect(await stream.text()).toBe('chunk 0\nchunk 1\nchunk 2\n');
    } finally {
      await app.close();
      await client.close(100);
    }
  });

  it('ends a request-mode session per request: errored on a captured 5xx, ok otherwise', async () => {
    const h = await startSightline({ autoSessionTracking: true, sessionMode: 'request' });
    const app = await startApp(factory);
    try {
      expect((await fetch(`${app.url}/users/1`)).status).toBe(200);
      expect((await fetch(`${app.url}/users/2/fail`)).status).toBe(500);
      expect((await fetch(`${app.url}/client-error/404`)).status).toBe(404);
      expect((await fetch(`${app.url}/code-500-then-send`)).status).toBe(500);
      const ends = await h.server.waitFor('sessions/end', 4);
      const starts = h.server.items('sessions/start');
      expect(starts).toHaveLength(4);
      // Sessions end when each response closes: order them by when they started.
      const order = new Map(starts.map((s, i) => [s.sessionId, i]));
      const statuses = [...ends]
        .sort((a, b) => order.get(a.sessionId)! - order.get(b.sessionId)!)
        .map((e) => e.status);
      expect(statuses).toEqual(['ok', 'errored', 'ok', 'errored']);
      const errors = await h.flushed('errors');
      expect(errors).toHaveLength(1);
      expect(errors[0].sessionId).toBe(starts[1].sessionId);
      expect(h.server.invalid).toEqual([]);
    } finally {
      await app.close();
      await h.stop();
    }
  });
});
