import type { AccessType } from '../wire.js';

/** One side of a race: the access, where it happened, and which request and trace made it. */
export interface RaceAccess {
  eventId: string;
  accessType: AccessType;
  oldValue: unknown;
  newValue: unknown;
  /** `file:line` as the SDK captured it (`unknown:0` when location capture was off). */
  location: string;
  /** RFC 3339 as sent. */
  timestamp: string;
  /** The request context (Raceway's `thread_id`). */
  threadId: string;
  /** Raceway trace id (a UUID). */
  traceId: string;
  /** The same trace id as 32 lower-case hex (Sightline's and W3C's form), when it is a UUID. */
  traceIdHex: string | undefined;
  service: string;
  instance: string | undefined;
  /** `METHOD url` of the context's `HttpRequest` event, when it sent one. */
  request: string | undefined;
  /** Sightline's request id (`tags.request_id`), when known. */
  requestId: string | undefined;
  /** Locks held at the access (sent and replayed from lock events). */
  locks: string[];
}

/** `write-write`: a lost update; `read-write` / `write-read`: a stale or dirty read (by time order). */
export type RaceKind = 'write-write' | 'read-write' | 'write-read';

/** Two accesses to one variable, at least one a write, from different contexts, concurrent, with no common lock. */
export interface Race {
  variable: string;
  kind: RaceKind;
  /** The earlier access by timestamp. */
  first: RaceAccess;
  second: RaceAccess;
}

/** Per-variable totals (all races counted, even those past `maxRaces`). */
export interface VariableRaces {
  variable: string;
  races: number;
  /** Accesses analysed for this variable. */
  accesses: number;
  /** Request contexts that took part in at least one race on it. */
  contexts: number;
  /** Distinct `first location ↔ second location` pairs, most frequent first. */
  locations: Array<{ first: string; second: string; races: number }>;
}

export interface RaceReport {
  /** Events read (valid ones). */
  events: number;
  /** Input items that were not usable Raceway events. */
  invalidEvents: number;
  /** `StateChange` events analysed. */
  stateChanges: number;
  /** Distinct request contexts seen. */
  contexts: number;
  /** Racing pairs found (all of them). */
  raceCount: number;
  /** Racing pairs listed, first by variable, then by time; at most `maxRaces`. */
  races: Race[];
  /** True when `races` lists fewer pairs than `raceCount`, or accesses were left out (see `skippedAccesses`). */
  truncated: boolean;
  /** Oldest accesses of very busy variables left out of the pairwise check (`maxAccessesPerVariable`). */
  skippedAccesses: number;
  /** Variables with at least one race, most races first. */
  variables: VariableRaces[];
}

/** Bounds of {@link analyzeRaces}; the check is pairwise per variable. */
export interface AnalyzeOptions {
  /**
   * Per variable, only the most recent accesses are compared pairwise.
   * @default 2000
   */
  maxAccessesPerVariable?: number;
  /**
   * Racing pairs listed in `races` (all are counted).
   * @default 500
   */
  maxRaces?: number;
  /**
   * Racing pairs listed per variable, so one hot variable cannot crowd out the others.
   * @default 50
   */
  maxRacesPerVariable?: number;
  /**
   * Distinct location pairs listed per variable.
   * @default 20
   */
  maxLocationPairs?: number;
}
