import { describe, expect, it } from 'vitest';
import { DEFAULT_HOST, parseDsn, resolveOptions } from '../src/options.js';

const KEY = 'sk_live_do_not_print_me_123456';

describe('resolveOptions', () => {
  it('resolves documented defaults once into a frozen object', () => {
    const o = resolveOptions({}, {});
    expect(Object.isFrozen(o)).toBe(true);
    expect(o).toMatchObject({
      apiKey: undefined,
      host: DEFAULT_HOST,
      environment: 'production',
      sampleRate: 1,
      tracesSampleRate: 1,
      maxBreadcrumbs: 100,
      sendDefaultPii: false,
      shutdownTimeout: 2000,
      autoSessionTracking: true,
      sessionMode: 'application',
      transportQueueSize: 1000,
      maxBatchSize: 100,
      flushInterval: 1000,
      propagators: ['w3c', 'allstak'],
      signalHandlers: false,
    });
  });

  it('reads the env vars of PROTOCOL.md', () => {
    const o = resolveOptions(
      {},
      {
        ALLSTAK_API_KEY: KEY,
        ALLSTAK_HOST: 'https://ingest.example.test/',
        ALLSTAK_RELEASE: '2.0.0',
        ALLSTAK_ENVIRONMENT: 'staging',
        ALLSTAK_SERVER_NAME: 'box-1',
        ALLSTAK_DEBUG: 'true',
        ALLSTAK_SAMPLE_RATE: '0.5',
        ALLSTAK_TRACES_SAMPLE_RATE: '0.25',
        ALLSTAK_SEND_DEFAULT_PII: 'true',
      },
    );
    expect(o).toMatchObject({
      apiKey: KEY,
      host: 'https://ingest.example.test',
      release: '2.0.0',
      environment: 'staging',
      serverName: 'box-1',
      debug: true,
      sampleRate: 0.5,
      tracesSampleRate: 0.25,
      sendDefaultPii: true,
    });
  });

  it('options win over env; DSN gives key and host; a bare DSN is the key', () => {
    expect(resolveOptions({ apiKey: 'a' }, { ALLSTAK_API_KEY: 'b' }).apiKey).toBe('a');
    const fromDsn = resolveOptions({}, { ALLSTAK_DSN: `https://${KEY}@ingest.example.test` });
    expect(fromDsn.apiKey).toBe(KEY);
    expect(fromDsn.host).toBe('https://ingest.example.test');
    expect(parseDsn('bare-key')).toEqual({ apiKey: 'bare-key' });
    expect(resolveOptions({ dsn: `http://${KEY}@127.0.0.1:9999` }, {}).host).toBe('http://127.0.0.1:9999');
  });

  it('derives release from ALLSTAK_RELEASE, npm_package_version, then CI commit variables', () => {
    expect(resolveOptions({}, { npm_package_version: '1.2.3', GITHUB_SHA: 'abc' }).release).toBe('1.2.3');
    expect(resolveOptions({}, { GITHUB_SHA: 'abc' }).release).toBe('abc');
    expect(resolveOptions({}, { CI_COMMIT_SHA: 'def' }).release).toBe('def');
    expect(resolveOptions({}, {}).release).toBeUndefined();
  });

  it.each([
    ['sampleRate', 1.5, /Invalid `sampleRate`: must be a number between 0 and 1/],
    ['sampleRate', -0.1, /`sampleRate`/],
    ['tracesSampleRate', 'all', /`tracesSampleRate`/],
    ['host', 'not a url', /Invalid `host`: must be an absolute http\(s\) URL/],
    ['host', 'ftp://x.test', /`host`/],
    ['maxBreadcrumbs', 1.5, /`maxBreadcrumbs`/],
    ['beforeSend', 'x', /`beforeSend`: must be a function/],
    ['sessionMode', 'sometimes', /`sessionMode`/],
    ['ignoreErrors', [1], /`ignoreErrors`/],
    ['integrations', [{}], /`integrations`/],
    ['flushInterval', 0, /`flushInterval`/],
    ['propagators', ['nope'], /`propagators`/],
  ])('rejects %s = %j with a TypeError naming it', (name, value, message) => {
    const fn = () => {
      const o = resolveOptions({ [name]: value } as never, {});
      // Propagator names are resolved when the client is built.
      if (name === 'propagators') return import('../src/propagation/composite.js').then((m) => new m.CompositePropagator(o.propagators));
      return o;
    };
    if (name === 'propagators') {
      return expect(fn()).rejects.toThrow(message);
    }
    expect(fn).toThrow(TypeError);
    expect(fn).toThrow(message);
  });

  it('rejects invalid env values naming the variable', () => {
    expect(() => resolveOptions({}, { ALLSTAK_SAMPLE_RATE: 'lots' })).toThrow(/`ALLSTAK_SAMPLE_RATE`/);
    expect(() => resolveOptions({}, { ALLSTAK_DEBUG: 'maybe' })).toThrow(/`ALLSTAK_DEBUG`/);
  });

  it('never echoes the key or DSN in an error message', () => {
    let message = '';
    try {
      resolveOptions({ dsn: `https://${KEY}@@` }, {});
    } catch (err) {
      message = String((err as Error).message);
    }
    expect(message).not.toBe('');
    expect(message).not.toContain(KEY);
    try {
      resolveOptions({ apiKey: KEY, host: `https://${KEY}:x@h.test` }, {});
    } catch (err) {
      message = String((err as Error).message);
    }
    expect(message).toContain('`host`');
    expect(message).not.toContain(KEY);
  });
});
