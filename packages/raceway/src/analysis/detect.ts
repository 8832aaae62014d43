import { uuidToTraceId } from '../wire.js';
import { compareClocks } from '../vector-clock.js';
import { type AnalyzedAccess, type AnalyzedEvent, accessOf, analyzeEvent, byTime } from './events.js';
import { effectiveLockSets, shareALock } from './lock-sets.js';
import type { AnalyzeOptions, Race, RaceAccess, RaceKind, RaceReport, VariableRaces } from './report.js';

const isWrite = (t: string): boolean => t === 'Write' || t === 'AtomicWrite' || t === 'AtomicRMW';
const isAtomic = (t: string): boolean => t.startsWith('Atomic');

function limit(v: number | undefined, fallback: number): number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;
}

/**
 * Happens-before from the vector clocks: ordered when one clock is ≤ the other. Two different
 * events with equal clocks, or an event without a clock (some SDKs send `[]`), give no evidence
 * of order, so they count as concurrent.
 */
function ordered(a: AnalyzedEvent, b: AnalyzedEvent): boolean {
  if (a.clock.size === 0 || b.clock.size === 0) return false;
  const o = compareClocks(a.clock, b.clock);
  return o === 'before' || o === 'after';
}

/**
 * Finds data races in Raceway events (any order, from any number of services): two `StateChange`
 * accesses to the same variable, at least one a write, from different request contexts
 * (different `thread_id` or `trace_id`), that are concurrent — neither vector clock is ≤ the
 * other — and hold no common lock. Two atomic accesses never race (a departure from the Raceway
 * server, which only exempts `AtomicRead`/`AtomicRead`). Events repeated by id are read once.
 * Pure and bounded (see {@link AnalyzeOptions}); never throws on malformed input.
 *
 * @example
 * const report = analyzeRaces(body.events);
 * if (report.raceCount > 0) console.log(formatRaceReport(report));
 */
export function analyzeRaces(input: readonly unknown[], options: AnalyzeOptions = {}): RaceReport {
  const maxAccesses = limit(options.maxAccessesPerVariable, 2000);
  const maxRaces = limit(options.maxRaces, 500);
  const maxPerVariable = Math.min(maxRaces, limit(options.maxRacesPerVariable, 50));
  const maxLocationPairs = limit(options.maxLocationPairs, 20);

  const events: AnalyzedEvent[] = [];
  const seen = new Set<string>();
  let invalid = 0;
  const list = Array.isArray(input) ? input : [];
  for (let i = 0; i < list.length; i++) {
    const e = analyzeEvent(list[i], i);
    if (!e) invalid++;
    else if (!seen.has(e.id)) {
      seen.add(e.id);
      events.push(e);
    }
  }

  const requests = new Map<string, string>();
  const contexts = new Set<string>();
  for (const e of events) {
    contexts.add(e.contextKey);
    if (e.kind === 'HttpRequest' && !requests.has(e.contextKey)) {
      const { method, url } = e.data;
      if (typeof method === 'string' && typeof url === 'string')
        requests.set(e.contextKey, `${method} ${url}`.slice(0, 512));
    }
  }
  const lockSets = effectiveLockSets(events);

  const byVariable = new Map<string, AnalyzedAccess[]>();
  let stateChanges = 0;
  for (const e of events) {
    const a = accessOf(e);
    if (!a) continue;
    stateChanges++;
    let accesses = byVariable.get(a.variable);
    if (!accesses) byVariable.set(a.variable, (accesses = []));
    accesses.push(a);
  }

  const views = new Map<AnalyzedAccess, RaceAccess>();
  const view = (a: AnalyzedAccess): RaceAccess => {
    let v = views.get(a);
    if (!v) {
      const e = a.event;
      v = {
        eventId: e.id,
        accessType: a.accessType,
        oldValue: a.oldValue,
        newValue: a.newValue,
        location: a.location,
        timestamp: e.timestamp,
        threadId: e.threadId,
        traceId: e.traceId,
        traceIdHex: uuidToTraceId(e.traceId),
        service: e.service,
        instance: e.instance,
        request: requests.get(e.contextKey),
        requestId: e.requestId,
        locks: [...(lockSets.get(e) ?? e.lockSet)],
      };
      views.set(a, v);
    }
    return v;
  };

  const races: Race[] = [];
  const variables: VariableRaces[] = [];
  let raceCount = 0;
  let skippedAccesses = 0;
  for (const variable of [...byVariable.keys()].sort()) {
    let accesses = byVariable.get(variable)!.sort((x, y) => byTime(x.event, y.event));
    if (accesses.length > maxAccesses) {
      skippedAccesses += accesses.length - maxAccesses;
      accesses = accesses.slice(accesses.length - maxAccesses);
    }
    let count = 0;
    let listed = 0;
    const racing = new Set<string>();
    const locations = new Map<string, { first: string; second: string; races: number }>();
    for (let i = 0; i < accesses.length; i++) {
      const a = accesses[i]!;
      const aWrite = isWrite(a.accessType);
      const aLocks = lockSets.get(a.event) ?? a.event.lockSet;
      for (let j = i + 1; j < accesses.length; j++) {
        const b = accesses[j]!;
        const bWrite = isWrite(b.accessType);
        if (!aWrite && !bWrite) continue;
        if (isAtomic(a.accessType) && isAtomic(b.accessType)) continue;
        if (a.event.contextKey === b.event.contextKey) continue;
        if (shareALock(aLocks, lockSets.get(b.event) ?? b.event.lockSet)) continue;
        if (ordered(a.event, b.event)) continue;
        count++;
        racing.add(a.event.contextKey).add(b.event.contextKey);
        const key = `${a.location}\u0000${b.location}`;
        const loc = locations.get(key);
        if (loc) loc.races++;
        else locations.set(key, { first: a.location, second: b.location, races: 1 });
        if (listed < maxPerVariable && races.length < maxRaces) {
          listed++;
          const kind: RaceKind = aWrite && bWrite ? 'write-write' : aWrite ? 'write-read' : 'read-write';
          races.push({ variable, kind, first: view(a), second: view(b) });
        }
      }
    }
    if (count === 0) continue;
    raceCount += count;
    variables.push({
      variable,
      races: count,
      accesses: accesses.length,
      contexts: racing.size,
      locations: [...locations.values()].sort((x, y) => y.races - x.races).slice(0, maxLocationPairs),
    });
  }
  variables.sort((x, y) => y.races - x.races || (x.variable < y.variable ? -1 : 1));

  return {
    events: events.length,
    invalidEvents: invalid,
    stateChanges,
    contexts: contexts.size,
    raceCount,
    races,
    truncated: races.length < raceCount || skippedAccesses > 0,
    skippedAccesses,
    variables,
  };
}
