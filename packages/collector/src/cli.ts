#!/usr/bin/env node
import { USAGE, parseCli } from './cli-args.js';
import { runRaces } from './races-command.js';
import { startCollector } from './server.js';

async function main(): Promise<void> {
  const cmd = parseCli(process.argv.slice(2));
  if (cmd.kind === 'help') {
    process.stdout.write(USAGE);
  } else if (cmd.kind === 'races') {
    process.exitCode = await runRaces(cmd.races, {
      out: (t) => process.stdout.write(t),
      err: (t) => process.stderr.write(t),
    });
  } else if (cmd.kind === 'error') {
    process.stderr.write(`sightline-collector: ${cmd.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    const o = cmd.options;
    try {
      const collector = await startCollector(o);
      const store = o.db === ':memory:' ? 'in memory (lost on exit)' : o.db;
      // The key itself is never printed.
      const auth = o.apiKey ? 'required (X-AllStak-Key)' : 'not required (any key is accepted)';
      process.stdout.write(
        [
          'Sightline collector is running',
          `  Ingest:  ${collector.url}   -> init({ host: '${collector.url}', apiKey: '<any>' })`,
          `  UI:      ${collector.url}/`,
          `  Store:   ${store}`,
          `  API key: ${auth}`,
          'Press Ctrl-C to stop.',
          '',
        ].join('\n'),
      );
      let stopping = false;
      const stop = (signal: NodeJS.Signals) => {
        if (stopping) {
          // A second Ctrl-C while the database is being written: the user means it.
          process.exit(130);
        }
        stopping = true;
        process.stdout.write(`\n${signal}: saving and shutting down...\n`);
        collector.close().then(
          () => process.exit(0),
          (err: Error) => {
            process.stderr.write(`sightline-collector: ${err.message}\n`);
            process.exit(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const hint = e.code === 'EADDRINUSE' ? ` (port ${o.port} is taken; try --port 0 or another port)` : '';
      process.stderr.write(`sightline-collector: could not start: ${e.message}${hint}\n`);
      process.exitCode = 1;
    }
  }
}

void main();
