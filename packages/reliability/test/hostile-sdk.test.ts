import http from 'node:http';
import {
  SightlineOptionError,
  type SightlineOptions,
  type Transport,
  type TransportOptions,
  addBreadcrumb,
  captureException,
  captureMessage,
  init,
  logger,
  normalize,
  resolveOptions,
  setContext,
  setExtra,
  setExtras,
  setTag,
  setTags,
  setUser,
  withScope,
} from '@sightline/core';
import { validateWireBody } from '@sightline/core/wire';
import { TEST_API_KEY } from '@sightline/testkit';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './helpers/harness.js';
import { RANDOM_RUNS, Tracker, adversarial, randomText } from './helpers/hostile.js';

/**
 * Hostile input through the SDK's own surfaces: the normalizer behind every log attribute, tag,
 * extra and context; the public capture calls; option validation; and inbound headers through a
 * real instrumented Express app.
 */

const MAX_STR = 8192;
const MAX_BREADTH = 200;
const MAX_DEPTH = 8;

/** Values no JSON encoder survives unaided. */
function monsters(): unknown[] {
  const cyclic: Record<string, unknown> = { name: 'loop' };
  cyclic.self = cyclic;
  cyclic.list = [cyclic, { back: cyclic }];
  let deep: Record<string, unknown> = {};
  const deepRoot = deep;
  for (let i = 0; i < 10_000; i++) deep = deep.next = {} as Record<string, unknown>;
  // 100x the breadth cap. (Enumerating an object's keys is O(keys) in JavaScript, whatever the
  // cap: a 100k-key object costs ~100 ms per capture call, so the run stays at 20k.)
  const wide: Record<string, number> = {};
  for (let i = 0; i < 20_000; i++) wide[`k${i}`] = i;
  const throwing = Object.defineProperty({ ok: 1 }, 'boom', {
    enumerable: true,
    get() {
      throw new Error('getter');
    },
  });
  const trap = new Proxy(
    {},
    {
      ownKeys() {
        throw new Error('ownKeys');
      },
      get() {
        throw new Error('get');
      },
      getPrototypeOf() {
        throw new Error('proto');
      },
    },
  );
  const err = new Error('outer') as Error & { cause?: unknown; extra?: unknown };
  err.cause = err;
  err.extra = cyclic;
  let n = 0;
  const freshJson = { toJSON: () => ({ n: n++, again: freshJson }) };
  const badJson = {
    toJSON() {
      throw new Error('toJSON');
    },
  };
  return [
    cyclic,
    deepRoot,
    wide,
    new Array(1_000_000),
    Array.from({ length: 5000 }, (_, i) => ({ i })),
    'x'.repeat(1_000_000),
    throwing,
    trap,
    err,
    freshJson,
    badJson,
    new Map<unknown, unknown>([
      [{}, 1],
      [Symbol('s'), 2],
      ['password', 'hunter2'],
    ]),
    new Set([cyclic, 1, 'a']),
    Object.create(null),
    // An own "__proto__" key (as JSON.parse makes) on an object with a real prototype chain.
    Object.assign(
      Object.create({ inherited: 1 }),
      { [Symbol('hidden')]: 1 },
      JSON.parse('{"__proto__":"own"}'),
    ),
    Buffer.alloc(10 * 1024 * 1024),
    2n ** 4000n,
    new Date(Number.NaN),
    () => 'fn',
    Symbol('sym'),
    Number.NaN,
    Number.NEGATIVE_INFINITY,
  ];
}

const anything = fc.anything({
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
  maxDepth: 12,
});
const hostileValue = fc.oneof(
  anything,
  fc.constantFrom(...monsters()),
  adversarial(['a@b.co ', '4111 ', 'x']),
);

/** Walks a normalized value and checks every cap. */
function checkCaps(v: unknown, depth = 0): void {
  if (typeof v === 'string') {
    expect(v.length).toBeLessThanOrEqual(MAX_STR);
    return;
  }
  if (v === null || typeof v !== 'object') {
    expect(['number', 'boolean', 'undefined'].includes(typeof v) || v === null).toBe(true);
    return;
  }
  expect(depth).toBeLessThanOrEqual(MAX_DEPTH);
  const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v);
  expect(entries.length).toBeLessThanOrEqual(MAX_BREADTH);
  for (const [k, x] of entries) {
    expect(k.length).toBeLessThanOrEqual(MAX_STR);
    checkCaps(x, depth + 1);
  }
}

describe('hostile input: normalizer (log arguments, tags, extras, contexts)', () => {
  it('turns anything into JSON-safe data within the depth, breadth and string caps', () => {
    const t = new Tracker('normalizer / log-argument serializer');
    const check = (v: unknown) => {
      for (const scrub of [false, true]) {
        const out = t.time(typeof v === 'string' ? v.length : 1000, () => normalize(v, { scrub }));
        expect(() => JSON.stringify(out)).not.toThrow();
        checkCaps(out);
      }
    };
    for (const m of monsters()) check(m);
    fc.assert(fc.property(hostileValue, check), RANDOM_RUNS);
    t.record(
      `strings <= ${MAX_STR} chars, <= ${MAX_BREADTH} entries per container, depth <= ${MAX_DEPTH}; cycles, throwing getters, proxies and toJSON loops survived`,
    );
  });
});

/** A transport that encodes with the real AllStak codec and validates each body on the spot. */
function validatingTransport(bodies: { path: string; body: unknown; error?: string }[]) {
  return (o: TransportOptions): Transport => ({
    send(category, item) {
      const req = o.encode(category, [item]);
      const body = JSON.parse(String(req.body));
      const path = new URL(req.url).pathname;
      const r = validateWireBody(path, body);
      bodies.push({ path, body, error: r.ok ? undefined : r.error });
      return true;
    },
    flush: async () => true,
    close: async () => true,
    getStats: () => ({ categories: {}, requests: 0, failedRequests: 0 }),
  });
}

describe('hostile input: public capture calls', () => {
  afterEach(() => {
    init({ defaultIntegrations: false }); // back to a disabled client
  });

  it('logger, captureException/Message, breadcrumbs, tags, extras, contexts: never throw, bounded, every body valid', async () => {
    const t = new Tracker('public capture API (logger, errors, scope)');
    const bodies: { path: string; body: unknown; error?: string }[] = [];
    for (const sendDefaultPii of [false, true]) {
      const client = init({
        apiKey: TEST_API_KEY,
        host: 'http://127.0.0.1:9',
        defaultIntegrations: false,
        autoSessionTracking: false,
        sendDefaultPii,
        transport: validatingTransport(bodies),
      });
      // Values in the slots typed `unknown` (or coerced by the SDK): every body must stay valid.
      fc.assert(
        fc.property(hostileValue, hostileValue, randomText, (a, b, key) => {
          t.time(1000, () =>
            withScope(() => {
              logger.info(a as string, b as Record<string, unknown>);
              logger.error(typeof a === 'string' ? a : key, { nested: a, key: b });
              captureException(a);
              captureException(Object.assign(new Error(key), { payload: b, cause: a }));
              captureMessage(key, 'warning');
              addBreadcrumb({ message: key, data: b as Record<string, unknown> });
              addBreadcrumb(a as never);
              setTag(key, key);
              setTag(a as string, b as string);
              setExtra(key, a);
              setContext(key, b as Record<string, unknown>);
              setUser({ id: key, email: key });
              captureException(new Error('with scope data'));
            }),
          );
        }),
        { numRuns: 100 },
      );
      await client.flush(5000); // error events finish off the capture path (source context)
    }
    const checked = bodies.length; // bodies of the typed-slot run below may be invalid (a bogus level)
    // Values in slots with a declared type, as JavaScript callers may pass them: never a throw.
    // (Small values only: a typed slot such as a level is trusted, and a 10 MB object there is
    // JSON-encoded once, an O(input) cost, not a hang.)
    const untyped = fc.oneof(
      fc.anything({ maxDepth: 3, withBigInt: true, withMap: true, withNullPrototype: true }),
      randomText,
    );
    fc.assert(
      fc.property(untyped, untyped, (a, b) => {
        t.time(1000, () =>
          withScope(() => {
            setUser(a as never);
            setTags(a as never);
            setExtras(b as never);
            setContext(a as never, b as never);
            captureMessage(a as string, b as never);
            captureException(new Error('typed slots'), a as never);
            addBreadcrumb({ message: a, level: b, timestamp: a, category: b } as never);
          }),
        );
      }),
      RANDOM_RUNS,
    );
    const invalid = bodies.slice(0, checked).filter((x) => x.error);
    const logs = bodies.filter((x) => x.path.endsWith('/logs'));
    t.record(
      'every encoded body passes the AllStak wire validator; log messages cut at 16 KiB (before redaction)',
    );
    expect(bodies.filter((x) => x.path.endsWith('/errors')).length).toBeGreaterThan(400);
    expect(invalid.slice(0, 3)).toEqual([]);
    // Cut at 16 KiB before scrubbing; each redaction may lengthen its match ('a@b.co' -> '[Filtered]').
    for (const l of logs)
      expect(String((l.body as { message: string }).message).length).toBeLessThanOrEqual(2 * 16_385);
  });
});

describe('hostile input: option validation', () => {
  const KEYS: (keyof SightlineOptions)[] = [
    'apiKey',
    'dsn',
    'host',
    'release',
    'environment',
    'serverName',
    'service',
    'sampleRate',
    'tracesSampleRate',
    'tracesSampler',
    'maxBreadcrumbs',
    'attachStacktrace',
    'sendDefaultPii',
    'inAppInclude',
    'inAppExclude',
    'ignoreErrors',
    'beforeSend',
    'beforeSendFailOpen',
    'beforeBreadcrumb',
    'beforeSendSpan',
    'debug',
    'shutdownTimeout',
    'autoSessionTracking',
    'sessionMode',
    'defaultIntegrations',
    'integrations',
    'tracePropagationTargets',
    'transportQueueSize',
    'maxBatchSize',
    'flushInterval',
    'exporters',
    'propagators',
    'allowInsecureTransport',
    'signalHandlers',
  ];
  const ENV = [
    'ALLSTAK_API_KEY',
    'ALLSTAK_DSN',
    'ALLSTAK_HOST',
    'ALLSTAK_DEBUG',
    'ALLSTAK_SAMPLE_RATE',
    'ALLSTAK_TRACES_SAMPLE_RATE',
    'ALLSTAK_SEND_DEFAULT_PII',
    'ALLSTAK_RELEASE',
    'ALLSTAK_ENVIRONMENT',
  ];
  // Places where a user might paste the key by mistake: it must never be echoed back.
  const keyish = fc.constantFrom(
    TEST_API_KEY,
    `https://${TEST_API_KEY}@`,
    `https://${TEST_API_KEY}@bad host/`,
    `http://user:${TEST_API_KEY}@127.0.0.1`,
    `${TEST_API_KEY} not a url`,
    `ftp://${TEST_API_KEY}`,
  );
  const value = fc.oneof(anything, keyish, randomText, fc.double(), fc.integer());
  const options = fc.dictionary(fc.constantFrom(...KEYS), value, { maxKeys: 8 });
  const env = fc.dictionary(fc.constantFrom(...ENV), fc.oneof(randomText, keyish), { maxKeys: 4 });

  it('accepts or throws a TypeError naming the option, never anything else, never the key', () => {
    const t = new Tracker('option validation');
    let accepted = 0;
    let rejected = 0;
    const check = (opts: Record<string, unknown>, e: Record<string, string>) => {
      try {
        const r = t.time(100, () => resolveOptions(opts as SightlineOptions, e));
        expect(Object.isFrozen(r)).toBe(true);
        accepted++;
      } catch (err) {
        rejected++;
        expect(err).toBeInstanceOf(SightlineOptionError);
        expect(err).toBeInstanceOf(TypeError);
        expect((err as SightlineOptionError).code).toBe('SIGHTLINE_ERR_INVALID_OPTION');
        expect((err as Error).message).toMatch(/^Invalid `[A-Za-z_]+`: must be /);
        expect((err as Error).message).not.toContain(TEST_API_KEY);
      }
    };
    fc.assert(fc.property(options, env, check), { numRuns: 1000 });
    fc.assert(
      fc.property(anything, (o) => check(o as Record<string, unknown>, {})),
      RANDOM_RUNS,
    );
    t.record(
      `${accepted} option sets accepted, ${rejected} rejected, all with "Invalid \`<option>\`: must be ..."`,
      'every option set was accepted or rejected with a SightlineOptionError (a TypeError naming the option), within the time budget; no message carried the key',
    );
    expect(accepted).toBeGreaterThan(0);
    expect(rejected).toBeGreaterThan(0);
  });
});

describe('hostile input: inbound headers through an instrumented app', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('any traceparent/tracestate/baggage/allstak/request-id headers: 200, valid ids out, valid bodies in', async () => {
    const t = new Tracker('inbound headers end to end (Express)');
    h = await startHarness({ errorEvery: 0 });
    const agent = new http.Agent({ keepAlive: true });
    // Node's server answers 431 past 16 KiB of headers: 8 headers of <= 1200 chars stay below.
    const printable = fc.string({
      unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i)), '\t'),
      maxLength: 400,
    });
    const headerValue = fc.oneof(
      printable,
      adversarial(['-', '0', 'a=b,', ',', ' ']).map((s) => s.slice(0, 1200).replace(/[^\t\x20-\x7e]/g, 'x')),
    );
    const names = [
      'traceparent',
      'tracestate',
      'baggage',
      'allstak-trace',
      'x-allstak-trace-id',
      'x-trace-id',
      'x-allstak-request-id',
      'x-request-id',
    ];
    const headers = fc.dictionary(
      fc.constantFrom(...names),
      fc.oneof(headerValue, fc.array(printable, { minLength: 2, maxLength: 3 })),
      { maxKeys: 8 },
    );
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(headers, async (hs) => {
        const start = performance.now();
        const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
          const req = http.get(`${h!.appUrl}/work/1`, { agent, headers: hs }, (r) => {
            r.resume();
            r.on('end', () => resolve(r));
          });
          req.on('error', reject);
        });
        t.observe(JSON.stringify(hs).length, performance.now() - start);
        requests++;
        expect(res.statusCode).toBe(200);
        expect(res.headers['x-allstak-trace-id']).toMatch(/^[0-9a-f]{32}$/);
        const rid = String(res.headers['x-allstak-request-id']);
        expect(rid.length).toBeLessThanOrEqual(200);
        expect(rid).toMatch(/^[\x21-\x7e][\x20-\x7e]*$/);
      }),
      { numRuns: 150 },
    );
    agent.destroy();
    expect(await h.client.flush(5000)).toBe(true);
    t.record(
      'every response 200 with a 32-hex x-allstak-trace-id and a <= 200-char printable request id; no invalid body reached the server',
      'every request answered 200 with valid trace and request ids (slowest call: the HTTP round trip)',
    );
    expect(requests).toBe(150);
    expect(h.server.invalid).toEqual([]);
    expect(h.server.items('spans').length).toBeGreaterThanOrEqual(150);
  });
});
