import { collectOutput } from '@sightline/testkit';
import { describe, expect, it, vi } from 'vitest';
import { captureException, init, logger } from '../src/api.js';
import { startSpan } from '../src/tracing/api.js';

describe('no key, no traffic', () => {
  it('is a disabled no-op that says so once in debug mode, never throws', async () => {
    vi.stubEnv('ALLSTAK_API_KEY', '');
    vi.stubEnv('ALLSTAK_DSN', '');
    const out = collectOutput();
    try {
      const client = init({ debug: true, defaultIntegrations: false });
      init({ debug: true, defaultIntegrations: false });
      expect(client.enabled).toBe(false);
      expect(captureException(new Error('x'))).toBeUndefined();
      logger.info('nothing');
      expect(startSpan('s', (span) => span.isRecording())).toBe(false);
      expect(await client.flush(100)).toBe(true);
      expect(client.getStats().captured.error).toBe(0);
    } finally {
      out.restore();
      vi.unstubAllEnvs();
    }
    const lines = out.text().split('\n').filter((l) => l.includes('Sightline is disabled'));
    expect(lines).toHaveLength(1);
  });
});
