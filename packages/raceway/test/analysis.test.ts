import { describe, expect, it } from 'vitest';
import {
  analyzeRaces,
  checkRacewayEvent,
  formatRaceReport,
  parseRacewayEvents,
} from '../src/analysis/index.js';
import type { AccessType, RacewayEvent } from '../src/wire.js';

let seq = 0;
const T1 = '4bf92f35-77b3-4da6-a3ce-929d0e0e4736';
const T2 = '0af76519-16cd-43dd-8448-eb211c80319c';

interface Opts {
  thread: string;
  trace?: string;
  clock: Array<[string, number]>;
  locks?: string[];
  at: number;
}

function base(o: Opts): Omit<RacewayEvent, 'kind'> {
  seq++;
  return {
    id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    trace_id: o.trace ?? T1,
    parent_id: null,
    timestamp: `2026-01-01T00:00:00.${String(o.at).padStart(6, '0')}Z`,
    metadata: {
      thread_id: o.thread,
      process_id: 1,
      service_name: 'bank',
      environment: 'test',
      tags: { request_id: `req-${o.thread}` },
      duration_ns: null,
      instance_id: 'i1',
    },
    causality_vector: o.clock,
    lock_set: o.locks ?? [],
  };
}

function access(
  variable: string,
  type: AccessType,
  oldValue: unknown,
  newValue: unknown,
  o: Opts,
): RacewayEvent {
  return {
    ...base(o),
    kind: {
      StateChange: {
        variable,
        old_value: oldValue,
        new_value: newValue,
        location: `app.js:${o.at}`,
        access_type: type,
      },
    },
  };
}

function lock(kind: 'LockAcquire' | 'LockRelease', id: string, o: Opts): RacewayEvent {
  const data = { lock_id: id, lock_type: 'Mutex', location: 'app.js:1' };
  return { ...base(o), kind: kind === 'LockAcquire' ? { LockAcquire: data } : { LockRelease: data } };
}

function request(method: string, url: string, o: Opts): RacewayEvent {
  return { ...base(o), kind: { HttpRequest: { method, url, headers: {}, body: null } } };
}

describe('race analysis', () => {
  it('reports a lost update: two concurrent read-modify-writes from different requests', () => {
    const events = [
      request('POST', '/transfer', { thread: 'A', clock: [['s/0', 1]], at: 1 }),
      request('POST', '/transfer', { thread: 'B', trace: T2, clock: [['s/1', 1]], at: 2 }),
      access('balance', 'Read', 100, 100, { thread: 'A', clock: [['s/0', 2]], at: 3 }),
      access('balance', 'Read', 100, 100, { thread: 'B', trace: T2, clock: [['s/1', 2]], at: 4 }),
      access('balance', 'Write', 100, 90, { thread: 'A', clock: [['s/0', 3]], at: 5 }),
      access('balance', 'Write', 100, 80, { thread: 'B', trace: T2, clock: [['s/1', 3]], at: 6 }),
    ];
    const report = analyzeRaces(events);
    // A.read×B.write, B.read×A.write, A.write×B.write; the two reads never race.
    expect(report.raceCount).toBe(3);
    expect(
      report.races.map(
        (r) => `${r.kind}:${r.first.threadId}@${r.first.location}>${r.second.threadId}@${r.second.location}`,
      ),
    ).toEqual([
      'read-write:A@app.js:3>B@app.js:6',
      'read-write:B@app.js:4>A@app.js:5',
      'write-write:A@app.js:5>B@app.js:6',
    ]);
    const ww = report.races[2]!;
    expect(ww.variable).toBe('balance');
    expect(ww.first).toMatchObject({
      accessType: 'Write',
      oldValue: 100,
      newValue: 90,
      location: 'app.js:5',
      traceId: T1,
      traceIdHex: T1.replace(/-/g, ''),
      request: 'POST /transfer',
      requestId: 'req-A',
      service: 'bank',
      instance: 'i1',
      locks: [],
    });
    expect(ww.second).toMatchObject({ newValue: 80, traceId: T2, requestId: 'req-B' });
    expect(report.variables).toEqual([
      {
        variable: 'balance',
        races: 3,
        accesses: 4,
        contexts: 2,
        locations: [
          { first: 'app.js:3', second: 'app.js:6', races: 1 },
          { first: 'app.js:4', second: 'app.js:5', races: 1 },
          { first: 'app.js:5', second: 'app.js:6', races: 1 },
        ],
      },
    ]);
    expect(report).toMatchObject({
      events: 6,
      stateChanges: 4,
      contexts: 2,
      invalidEvents: 0,
      truncated: false,
    });
  });

  it('never flags sequential requests (the first ended before the second: its clock is known)', () => {
    const events = [
      access('balance', 'Read', 100, 100, { thread: 'A', clock: [['s/0', 1]], at: 1 }),
      access('balance', 'Write', 100, 90, { thread: 'A', clock: [['s/0', 2]], at: 2 }),
      access('balance', 'Read', 90, 90, {
        thread: 'B',
        clock: [
          ['s/1', 1],
          ['s/0', 2],
        ],
        at: 3,
      }),
      access('balance', 'Write', 90, 80, {
        thread: 'B',
        clock: [
          ['s/1', 2],
          ['s/0', 2],
        ],
        at: 4,
      }),
    ];
    expect(analyzeRaces(events).raceCount).toBe(0);
  });

  it('never flags accesses ordered by happens-before across services (propagated clocks)', () => {
    const events = [
      access('stock:42', 'Write', 5, 4, { thread: 'A', clock: [['api#1/0', 3]], at: 1 }),
      // B (another service) was called by A after the write: its clock includes api#1/0 = 4.
      access('stock:42', 'Read', 4, 4, {
        thread: 'B',
        trace: T1,
        clock: [
          ['inv#2/0', 1],
          ['api#1/0', 4],
        ],
        at: 2,
      }),
      access('stock:42', 'Write', 4, 3, {
        thread: 'B',
        trace: T1,
        clock: [
          ['inv#2/0', 2],
          ['api#1/0', 4],
        ],
        at: 3,
      }),
    ];
    expect(analyzeRaces(events).raceCount).toBe(0);
  });

  it('never flags accesses holding a common lock, whether sent in lock_set or replayed from lock events', () => {
    const sent = [
      access('balance', 'Write', 100, 90, { thread: 'A', clock: [['s/0', 2]], locks: ['acct'], at: 1 }),
      access('balance', 'Write', 100, 80, {
        thread: 'B',
        clock: [['s/1', 2]],
        locks: ['other', 'acct'],
        at: 2,
      }),
    ];
    expect(analyzeRaces(sent).raceCount).toBe(0);
    // Raceway's own TypeScript SDK always sends lock_set: []; the lock events tell instead.
    const replayed = [
      lock('LockAcquire', 'acct', { thread: 'A', clock: [['s/0', 1]], at: 1 }),
      access('balance', 'Write', 100, 90, { thread: 'A', clock: [['s/0', 2]], at: 2 }),
      lock('LockRelease', 'acct', { thread: 'A', clock: [['s/0', 3]], at: 3 }),
      lock('LockAcquire', 'acct', { thread: 'B', clock: [['s/1', 1]], at: 4 }),
      access('balance', 'Write', 90, 80, { thread: 'B', clock: [['s/1', 2]], at: 5 }),
      lock('LockRelease', 'acct', { thread: 'B', clock: [['s/1', 3]], at: 6 }),
      // After its release, B's write is unprotected again: a race with A's locked write.
      access('balance', 'Write', 80, 70, { thread: 'B', clock: [['s/1', 4]], at: 7 }),
    ];
    const report = analyzeRaces(replayed);
    expect(report.raceCount).toBe(1);
    expect(report.races[0]!.first.locks).toEqual(['acct']);
    expect(report.races[0]!.second).toMatchObject({ location: 'app.js:7', locks: [] });
  });

  it('different locks do not protect', () => {
    const events = [
      access('x', 'Write', 0, 1, { thread: 'A', clock: [['s/0', 1]], locks: ['L1'], at: 1 }),
      access('x', 'Write', 0, 2, { thread: 'B', clock: [['s/1', 1]], locks: ['L2'], at: 2 }),
    ];
    expect(analyzeRaces(events).raceCount).toBe(1);
  });

  it('skips read/read pairs, pairs inside one context, and pairs of atomic accesses', () => {
    const events = [
      access('x', 'Read', 1, 1, { thread: 'A', clock: [['s/0', 1]], at: 1 }),
      access('x', 'Read', 1, 1, { thread: 'B', clock: [['s/1', 1]], at: 2 }),
      access('y', 'Write', 1, 2, { thread: 'A', clock: [['s/0', 2]], at: 3 }),
      access('y', 'Write', 2, 3, { thread: 'A', clock: [['s/0', 1]], at: 4 }),
      access('n', 'AtomicRMW', 1, 2, { thread: 'A', clock: [['s/0', 3]], at: 5 }),
      access('n', 'AtomicRead', 2, 2, { thread: 'B', clock: [['s/1', 2]], at: 6 }),
      access('n', 'AtomicWrite', 2, 0, { thread: 'C', clock: [['s/2', 1]], at: 7 }),
    ];
    expect(analyzeRaces(events).raceCount).toBe(0);
    // An atomic access against a plain one still races.
    const mixed = [...events, access('n', 'Read', 0, 0, { thread: 'D', clock: [['s/3', 1]], at: 8 })];
    const report = analyzeRaces(mixed);
    expect(report.raceCount).toBe(2);
    expect(report.races.map((r) => r.first.accessType)).toEqual(['AtomicRMW', 'AtomicWrite']);
    expect(report.races.map((r) => r.kind)).toEqual(['write-read', 'write-read']);
  });

  it('the same thread id in different traces counts as different contexts (Raceway’s global check)', () => {
    const events = [
      access('x', 'Write', 0, 1, { thread: 'main', trace: T1, clock: [['a', 1]], at: 1 }),
      access('x', 'Write', 0, 2, { thread: 'main', trace: T2, clock: [['b', 1]], at: 2 }),
    ];
    expect(analyzeRaces(events).raceCount).toBe(1);
  });

  it('events without a clock give no evidence of order', () => {
    const events = [
      access('x', 'Write', 0, 1, { thread: 'A', clock: [], at: 1 }),
      access('x', 'Write', 0, 2, { thread: 'B', clock: [['s/1', 5]], at: 2 }),
    ];
    expect(analyzeRaces(events).raceCount).toBe(1);
  });

  it('skips what is not a Raceway event, reads a repeated event once, survives junk', () => {
    const a = access('x', 'Write', 0, 1, { thread: 'A', clock: [['s/0', 1]], at: 1 });
    const b = access('x', 'Write', 0, 2, { thread: 'B', clock: [['s/1', 1]], at: 2 });
    const junk = [
      null,
      42,
      'x',
      [],
      {},
      { ...a, id: 7 },
      { ...a, id: 'zz', kind: { A: {}, B: {} } },
      { ...a, id: 'zy', metadata: {} },
      { ...a, id: 'zx', kind: { StateChange: { variable: 'x', access_type: 'Scribble' } } },
      { ...a, id: 'zw', causality_vector: 'nope', lock_set: 'nope', timestamp: 'yesterday' },
    ];
    const report = analyzeRaces([a, a, b, ...junk]);
    expect(report.invalidEvents).toBe(8);
    expect(report.events).toBe(4);
    expect(report.stateChanges).toBe(3);
    expect(report.raceCount).toBe(2);
    expect(analyzeRaces('nope' as unknown as unknown[]).events).toBe(0);
  });

  it('is bounded: most recent accesses per variable, listed races per variable and in total', () => {
    const events: RacewayEvent[] = [];
    for (let i = 0; i < 40; i++)
      events.push(access('hot', 'Write', i, i + 1, { thread: `t${i}`, clock: [[`s/${i}`, 1]], at: i + 1 }));
    for (let i = 0; i < 3; i++)
      events.push(
        access('cold', 'Write', i, i + 1, { thread: `c${i}`, clock: [[`c/${i}`, 1]], at: 100 + i }),
      );
    const report = analyzeRaces(events, {
      maxAccessesPerVariable: 30,
      maxRaces: 12,
      maxRacesPerVariable: 10,
    });
    expect(report.skippedAccesses).toBe(10);
    expect(report.raceCount).toBe((30 * 29) / 2 + 3);
    expect(report.races).toHaveLength(12);
    // Variables are listed by name; the total bound cuts the last one short.
    expect(report.races.filter((r) => r.variable === 'cold')).toHaveLength(3);
    expect(report.races.filter((r) => r.variable === 'hot')).toHaveLength(9);
    const perVariable = analyzeRaces(events, { maxAccessesPerVariable: 30, maxRacesPerVariable: 10 });
    expect(perVariable.races.filter((r) => r.variable === 'hot')).toHaveLength(10);
    expect(report.truncated).toBe(true);
    expect(report.variables.map((v) => [v.variable, v.races])).toEqual([
      ['hot', 435],
      ['cold', 3],
    ]);
  });

  it('orders by the microseconds of the timestamps, then by input order', () => {
    const late = access('x', 'Write', 1, 2, { thread: 'B', clock: [['s/1', 1]], at: 999_999 });
    const early = access('x', 'Read', 1, 1, { thread: 'A', clock: [['s/0', 1]], at: 5 });
    const [race] = analyzeRaces([late, early]).races;
    expect(race?.kind).toBe('read-write');
    expect(race?.first.threadId).toBe('A');
  });
});

describe('race report text and input parsing', () => {
  const racy = [
    request('POST', '/transfer/racy', { thread: 'A', clock: [['s/0', 1]], at: 1 }),
    access('account:alice.balance', 'Read', 100, 100, { thread: 'A', clock: [['s/0', 2]], at: 2 }),
    access('account:alice.balance', 'Write', 100, 90, { thread: 'B', trace: T2, clock: [['s/1', 1]], at: 3 }),
  ];

  it('prints every race with both accesses, values, locations, requests and traces', () => {
    const text = formatRaceReport(analyzeRaces(racy));
    expect(text).toContain('Found 1 race on 1 variable (3 events, 2 state changes, 2 request contexts).');
    expect(text).toContain('account:alice.balance: 1 race between 2 request contexts (2 accesses)');
    expect(text).toContain('race 1: read-write');
    expect(text).toContain('A Read        100');
    expect(text).toContain('B Write       100 → 90');
    expect(text).toContain('at app.js:2  in POST /transfer/racy  (bank#i1)');
    expect(text).toContain(`trace ${T1.replace(/-/g, '')}  request req-A`);
    expect(text).toContain(`trace ${T2.replace(/-/g, '')}  request req-B`);
    expect(formatRaceReport(analyzeRaces([]))).toBe(
      'No races found (0 events, 0 state changes, 0 request contexts).',
    );
  });

  it('reads a POST /events body, a bare array, and NDJSON of events or batches', () => {
    expect(parseRacewayEvents(JSON.stringify({ events: racy })).events).toHaveLength(3);
    expect(parseRacewayEvents(JSON.stringify(racy)).events).toHaveLength(3);
    const ndjson = [
      JSON.stringify(racy[0]),
      '',
      JSON.stringify({ events: racy.slice(1) }),
      '{broken',
      '7',
    ].join('\n');
    expect(parseRacewayEvents(ndjson)).toEqual({ events: racy, unreadable: 2 });
    expect(parseRacewayEvents('  ')).toEqual({ events: [], unreadable: 0 });
  });
});

describe('schema check (what the Raceway server deserializes)', () => {
  const good = access('x', 'Write', null, 1, { thread: 'A', clock: [['s/0', 1]], at: 1 });

  it('accepts a well-formed event, with missing Option fields', () => {
    expect(checkRacewayEvent(good)).toBeUndefined();
    const { instance_id: _i, duration_ns: _d, ...meta } = good.metadata;
    expect(checkRacewayEvent({ ...good, metadata: meta, parent_id: undefined })).toBeUndefined();
    expect(checkRacewayEvent({ ...good, kind: { Custom: { name: 'n', data: null } } })).toBeUndefined();
  });

  it.each([
    ['id', { id: 'nope' }, 'id: must be a UUID'],
    ['trace_id', { trace_id: '4bf92f3577b34da6a3ce929d0e0e4736' }, 'trace_id: must be a UUID'],
    ['timestamp', { timestamp: '2026-01-01 00:00:00' }, 'timestamp: must be RFC 3339'],
    ['kind arity', { kind: { A: {}, B: {} } }, 'kind: must have exactly one variant'],
    ['unknown variant', { kind: { Scribble: {} } }, 'kind: unknown variant'],
    [
      'access type',
      {
        kind: { StateChange: { variable: 'x', new_value: 1, location: '', access_type: 'R' } },
      },
      'kind.StateChange.access_type: has the wrong type',
    ],
    [
      'missing new_value',
      { kind: { StateChange: { variable: 'x', location: '', access_type: 'Read' } } },
      'kind.StateChange.new_value: is missing',
    ],
    [
      'float duration_ms',
      { kind: { HttpResponse: { status: 200, headers: {}, body: null, duration_ms: 12.5 } } },
      'kind.HttpResponse.duration_ms: has the wrong type',
    ],
    ['tags', { metadata: { ...good.metadata, tags: { a: 1 } } }, 'metadata.tags: has the wrong type'],
    [
      'process id',
      { metadata: { ...good.metadata, process_id: -1 } },
      'metadata.process_id: has the wrong type',
    ],
    ['no causality_vector', { causality_vector: undefined }, 'causality_vector: is missing or not an array'],
    [
      'float counter',
      { causality_vector: [['a', 1.5]] },
      'causality_vector: must hold [string, unsigned integer] pairs',
    ],
    ['no lock_set', { lock_set: undefined }, 'lock_set: is missing or not an array of strings'],
  ])('names the field the server would reject: %s', (_what, patch, message) => {
    expect(checkRacewayEvent({ ...good, ...patch })).toBe(message);
  });
});
