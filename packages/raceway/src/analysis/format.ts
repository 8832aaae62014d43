import type { RaceAccess, RaceReport } from './report.js';

export interface FormatOptions {
  /**
   * Example races printed per variable (every variable is summarized).
   * @default 3
   */
  examplesPerVariable?: number;
}

const MAX_VALUE = 80;

function value(v: unknown): string {
  let s: string;
  try {
    s = v === undefined ? 'null' : (JSON.stringify(v) ?? String(v));
  } catch {
    s = String(v);
  }
  return s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

function accessLine(tag: string, a: RaceAccess): string[] {
  const values = a.accessType.endsWith('Read')
    ? value(a.newValue ?? a.oldValue)
    : `${value(a.oldValue)} → ${value(a.newValue)}`;
  const where = [a.service, a.instance].filter(Boolean).join('#');
  return [
    `    ${tag} ${a.accessType.padEnd(11)} ${values}`,
    `        at ${a.location || 'unknown'}${a.request ? `  in ${a.request}` : ''}${where ? `  (${where})` : ''}`,
    `        context ${a.threadId}  trace ${a.traceIdHex ?? a.traceId}${a.requestId ? `  request ${a.requestId}` : ''}  ${a.timestamp}`,
    `        locks ${a.locks.length > 0 ? a.locks.join(', ') : '-'}`,
  ];
}

/**
 * The report as plain text for a terminal or a CI log.
 * @example console.log(formatRaceReport(analyzeRaces(events)));
 */
export function formatRaceReport(report: RaceReport, options: FormatOptions = {}): string {
  const examples =
    typeof options.examplesPerVariable === 'number' && options.examplesPerVariable >= 0
      ? options.examplesPerVariable
      : 3;
  const scope = `${plural(report.events, 'event')}, ${plural(report.stateChanges, 'state change')}, ${plural(report.contexts, 'request context')}`;
  const lines: string[] = [];
  if (report.raceCount === 0) {
    lines.push(`No races found (${scope}).`);
  } else {
    lines.push(
      `Found ${plural(report.raceCount, 'race')} on ${plural(report.variables.length, 'variable')} (${scope}).`,
    );
  }
  if (report.invalidEvents > 0)
    lines.push(`${plural(report.invalidEvents, 'input item')} were not Raceway events and were skipped.`);
  if (report.skippedAccesses > 0) {
    lines.push(
      `${plural(report.skippedAccesses, 'older access', 'older accesses')} of busy variables were not compared.`,
    );
  }
  for (const v of report.variables) {
    lines.push('');
    lines.push(
      `${v.variable}: ${plural(v.races, 'race')} between ${plural(v.contexts, 'request context')} (${plural(v.accesses, 'access', 'accesses')})`,
    );
    for (const l of v.locations) lines.push(`  ${l.first} ↔ ${l.second}  (${plural(l.races, 'race')})`);
    let shown = 0;
    for (const r of report.races) {
      if (r.variable !== v.variable) continue;
      if (shown >= examples) break;
      shown++;
      lines.push('');
      lines.push(`  race ${shown}: ${r.kind}`);
      lines.push(...accessLine('A', r.first), ...accessLine('B', r.second));
    }
  }
  return lines.join('\n');
}
