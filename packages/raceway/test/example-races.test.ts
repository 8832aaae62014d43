import { getCurrentClient } from '@sightline/core';
import { afterEach, describe, expect, it } from 'vitest';
import { analyzeRaces } from '../src/analysis/index.js';

// Variable specifiers: the example is plain JavaScript, loaded as it would run with `node`.
const APP = new URL('../../../examples/races/src/app.mjs', import.meta.url).href;
const HAMMER = new URL('../../../examples/races/src/hammer.mjs', import.meta.url).href;

interface Started {
  url: string;
  ledger: { snapshot(): Record<string, number> };
  close(): Promise<void>;
}
interface Sink {
  url: string;
  events: unknown[];
  close(): Promise<void>;
}
interface Example {
  start(o: { port: number; racewayUrl?: string; transport?: object; checkMs?: number }): Promise<Started>;
}
interface Hammer {
  hammer(
    url: string,
    o: { endpoint: 'racy' | 'fixed'; requests: number; sequential?: boolean },
  ): Promise<unknown[]>;
  startEventSink(): Promise<Sink>;
}

const open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
  await getCurrentClient()?.close(0);
});

async function run(endpoint: 'racy' | 'fixed', requests: number, sequential = false) {
  const { start } = (await import(APP)) as Example;
  const { hammer, startEventSink } = (await import(HAMMER)) as Hammer;
  const sink = await startEventSink();
  open.push(sink);
  const app = await start({ port: 0, racewayUrl: sink.url, transport: { flushInterval: 20 }, checkMs: 25 });
  open.push(app);
  const answers = await hammer(app.url, { endpoint, requests, sequential });
  await app.close();
  open.splice(open.indexOf(app), 1);
  return { answers, balances: app.ledger.snapshot(), report: analyzeRaces(sink.events), events: sink.events };
}

describe('examples/races under concurrent requests', () => {
  it('the racy transfer loses updates and is reported on the balance variables, with both accesses', async () => {
    const { answers, balances, report } = await run('racy', 20);
    expect(answers.every((a) => (a as { ok: boolean }).ok)).toBe(true);
    // 20 transfers of 10 that all succeeded, yet money appeared or vanished: lost updates.
    expect(balances.alice).toBeGreaterThan(800);
    expect(report.raceCount).toBeGreaterThan(0);
    expect(report.variables.map((v) => v.variable).sort()).toEqual([
      'account:alice.balance',
      'account:bob.balance',
    ]);
    const race = report.races.find((r) => r.variable === 'account:alice.balance')!;
    for (const side of [race.first, race.second]) {
      expect(side.location).toMatch(/examples\/races\/src\/app\.mjs:\d+$/);
      expect(side.request).toBe('POST /transfer/racy');
      expect(side.traceIdHex).toMatch(/^[0-9a-f]{32}$/);
      expect(side.requestId).toBeTruthy();
      expect(side.locks).toEqual([]);
    }
    expect(race.first.threadId).not.toBe(race.second.threadId);
    expect(race.first.traceId).not.toBe(race.second.traceId);
    expect([race.first.accessType, race.second.accessType]).toContain('Write');
  });

  it('the fixed transfer (withLock) keeps every update and reports nothing', async () => {
    const { balances, report, events } = await run('fixed', 20);
    expect(balances).toEqual({ alice: 800, bob: 1200 });
    expect(report.stateChanges).toBe(80);
    expect(events.length).toBeGreaterThan(80);
    expect(report.raceCount).toBe(0);
  });

  it('sequential requests on the racy transfer never produce a false positive', async () => {
    const { balances, report } = await run('racy', 8, true);
    expect(balances).toEqual({ alice: 920, bob: 1080 });
    expect(report.stateChanges).toBe(32);
    expect(report.raceCount).toBe(0);
  });
});
