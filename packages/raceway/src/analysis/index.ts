export { analyzeRaces } from './detect.js';
export { formatRaceReport } from './format.js';
export { parseRacewayEvents } from './parse.js';
export { checkRacewayEvent } from './validate.js';
export { compareClocks, clockFromPairs } from '../vector-clock.js';
export { traceIdToUuid, uuidToTraceId } from '../wire.js';
export type { FormatOptions } from './format.js';
export type { AnalyzeOptions, Race, RaceAccess, RaceKind, RaceReport, VariableRaces } from './report.js';
export type { ClockOrder, VectorClock } from '../vector-clock.js';
export type {
  AccessType,
  CausalityVector,
  RacewayEvent,
  RacewayEventBatch,
  RacewayEventKind,
  RacewayEventMetadata,
} from '../wire.js';
