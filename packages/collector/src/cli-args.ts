import { parseArgs } from 'node:util';
import type { CollectorOptions } from './options.js';
import type { RacesCommand } from './races-command.js';

export const DEFAULT_PORT = 7331;
export const DEFAULT_DB = '.sightline-data/collector.sqlite';

export const USAGE = `Usage: sightline-collector [options]

A local AllStak-compatible ingest server with an embedded SQLite store and a web UI.
Point the SDK at it: init({ host: 'http://127.0.0.1:${DEFAULT_PORT}', apiKey: 'dev', ... })

Options:
  --port <n>            port to listen on (0 = any free port)    [default: ${DEFAULT_PORT}]
  --host <addr>         address to bind                           [default: 127.0.0.1]
  --db <file|:memory:>  SQLite database file                      [default: ${DEFAULT_DB}]
  --api-key <key>       require this X-AllStak-Key on ingest      [default: none, any key accepted]
                        (or set SIGHTLINE_COLLECTOR_API_KEY)
  --max-rows <n>        items kept per kind (errors, logs, ...)   [default: 5000]
  --max-age <hours>     items older than this are deleted         [default: 24]
  --max-body <bytes>    largest accepted request body             [default: 5242880]
  -h, --help            show this help

Commands:
  races [--url <url>] [--db <file>] [--json]
                        print the data races found in the stored Raceway events, from a
                        running collector (--url) or a database file (--db, default above);
                        exit code 0 when there are none, 1 when there are (usable in CI)
`;

export type CliCommand =
  | { kind: 'help' }
  | { kind: 'run'; options: CollectorOptions }
  | { kind: 'races'; races: RacesCommand }
  | { kind: 'error'; message: string };

function int(name: string, v: string | undefined, min: number): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(n) || n < min)
    throw new Error(`--${name} must be an integer >= ${min}`);
  return n;
}

/** Parses argv (without `node` and the script) and the environment into collector options. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliCommand {
  if (argv[0] === 'races') return parseRaces(argv.slice(1));
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        db: { type: 'string' },
        'api-key': { type: 'string' },
        'max-rows': { type: 'string' },
        'max-age': { type: 'string' },
        'max-body': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return { kind: 'help' };
    const port = int('port', values.port, 0) ?? DEFAULT_PORT;
    if (port > 65535) throw new Error('--port must be at most 65535');
    const maxAgeHours = values['max-age'] === undefined ? undefined : Number(values['max-age']);
    if (maxAgeHours !== undefined && !(maxAgeHours > 0))
      throw new Error('--max-age must be a number of hours > 0');
    const apiKey = values['api-key'] ?? env.SIGHTLINE_COLLECTOR_API_KEY;
    return {
      kind: 'run',
      options: {
        port,
        host: values.host,
        db: values.db ?? DEFAULT_DB,
        apiKey: apiKey === '' ? undefined : apiKey,
        maxRowsPerKind: int('max-rows', values['max-rows'], 1),
        maxAgeMs: maxAgeHours === undefined ? undefined : Math.round(maxAgeHours * 3_600_000),
        maxBodyBytes: int('max-body', values['max-body'], 1),
      },
    };
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
}

function parseRaces(argv: string[]): CliCommand {
  try {
    const { values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        url: { type: 'string' },
        db: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return { kind: 'help' };
    if (values.url !== undefined && values.db !== undefined)
      throw new Error('races: use --url or --db, not both');
    return {
      kind: 'races',
      races: { url: values.url, db: values.db ?? DEFAULT_DB, json: values.json === true },
    };
  } catch (err) {
    return { kind: 'error', message: (err as Error).message };
  }
}
