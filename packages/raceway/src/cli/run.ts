import { readFile } from 'node:fs/promises';
import { analyzeRaces } from '../analysis/detect.js';
import { formatRaceReport } from '../analysis/format.js';
import { parseRacewayEvents } from '../analysis/parse.js';

/** Where the CLI writes; injectable for tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readStdin(): Promise<string>;
  env: Record<string, string | undefined>;
}

export const USAGE = `Usage: sightline-races [file ...] [--url <url>] [--key <key>] [--json]

Reads Raceway events and prints the data races among them (two accesses to one variable, at
least one a write, from different requests, concurrent by their vector clocks, no common lock).

  file          events as a POST /events body, a JSON array or NDJSON; "-" reads stdin
  --url <url>   GET events from a running endpoint (e.g. the Sightline collector's
                /api/raceway/events); sends Authorization: Bearer <key> when a key is given
  --key <key>   API key for --url (default: RACEWAY_API_KEY)
  --json        print the report as JSON instead of text

Exit code: 0 when there are no races, 1 when there are, 2 when the input could not be read.`;

const MAX_BODY = 256 * 1024 * 1024;

interface Args {
  files: string[];
  urls: string[];
  key: string | undefined;
  json: boolean;
  help: boolean;
}

function parseArgs(argv: readonly string[]): Args | string {
  const a: Args = { files: [], urls: [], key: undefined, json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') a.help = true;
    else if (arg === '--json') a.json = true;
    else if (arg === '--url' || arg === '--key') {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) return `${arg} needs a value`;
      if (arg === '--url') a.urls.push(v);
      else a.key = v;
    } else if (arg.startsWith('--')) return `unknown option ${arg}`;
    else a.files.push(arg);
  }
  return a;
}

async function fetchEvents(url: string, key: string | undefined): Promise<string> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new Error(`not a URL: ${url.slice(0, 200)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error(`not an http(s) URL: ${u.protocol}`);
  const res = await fetch(u, {
    headers: key ? { authorization: `Bearer ${key}` } : {},
    signal: AbortSignal.timeout(30_000),
  });
  // The key is never echoed: only the status and the URL (which carries no credentials) are.
  if (!res.ok) throw new Error(`GET ${u.origin}${u.pathname} answered ${res.status}`);
  const text = await res.text();
  if (text.length > MAX_BODY) throw new Error(`GET ${u.origin}${u.pathname}: body too large`);
  return text;
}

/**
 * The `sightline-races` command: reads events, prints the report, returns the exit code.
 * @example process.exitCode = await runCli(process.argv.slice(2), nodeIo);
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv);
  if (typeof args === 'string') {
    io.err(`sightline-races: ${args}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (args.files.length === 0 && args.urls.length === 0) args.files.push('-');
  const events: unknown[] = [];
  let unreadable = 0;
  try {
    for (const f of args.files) {
      const parsed = parseRacewayEvents(f === '-' ? await io.readStdin() : await readFile(f, 'utf8'));
      events.push(...parsed.events);
      unreadable += parsed.unreadable;
    }
    for (const url of args.urls) {
      const parsed = parseRacewayEvents(await fetchEvents(url, args.key ?? io.env.RACEWAY_API_KEY));
      events.push(...parsed.events);
      unreadable += parsed.unreadable;
    }
  } catch (err) {
    io.err(`sightline-races: ${(err as Error)?.message ?? String(err)}\n`);
    return 2;
  }
  const report = analyzeRaces(events);
  if (args.json) io.out(`${JSON.stringify(report, null, 2)}\n`);
  else {
    io.out(`${formatRaceReport(report)}\n`);
    if (unreadable > 0) io.err(`${unreadable} unreadable line(s) skipped\n`);
  }
  return report.raceCount > 0 ? 1 : 0;
}
