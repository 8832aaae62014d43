// Proves the harness end to end in a few seconds (CI never runs the benchmark itself): a bare
// and a Sightline Express server, each in its own process, loaded for one second by the load
// generator process, flushed into the sink process, which must have counted one inbound request
// record per request served; then the report renders from the summary.
import { afterAll, beforeAll, expect, test } from 'vitest';
import { VARIANTS } from '../src/config.mjs';
import { runMacro } from '../src/macro.mjs';
import { renderResults } from '../src/report.mjs';
import { startRig } from '../src/rig.mjs';

let rig;
beforeAll(async () => {
  rig = await startRig({ pin: false });
});
afterAll(async () => {
  await rig?.stop();
});

test('one variant and the ceiling against bare: measured, delivered, counted and reported', async () => {
  const mode = { rounds: 1, warmupSec: 0.5, durationSec: 1, connections: 4 };
  const variants = VARIANTS.filter((v) => ['bare', 'ceiling', 'sightline-100'].includes(v.id));
  const [express] = await runMacro(rig, mode, { frameworks: ['express'], variants, seed: 1, log: () => {} });

  const bare = express.variants.find((v) => v.id === 'bare');
  const sightline = express.variants.find((v) => v.id === 'sightline-100');
  expect(bare.rps).toBeGreaterThan(0);
  expect(sightline.rps).toBeGreaterThan(0);
  expect(sightline.rounds[0].non2xx + sightline.rounds[0].errors).toBe(0);
  expect(sightline.ratio).toBeGreaterThan(0);
  expect(sightline.rssMB).toBeGreaterThan(10);

  // Every request served (warm-up included) left one inbound record at the sink; requests still
  // in flight when the load generator stopped counting are served and recorded too.
  expect(sightline.served).toBeGreaterThan(10);
  expect(sightline.delivered.requestUnits).toBeGreaterThanOrEqual(sightline.served);
  expect(sightline.delivered.requestUnits).toBeLessThanOrEqual(sightline.served + 2 * mode.connections);
  expect(sightline.delivered.kinds['allstak.spans']).toBeGreaterThanOrEqual(sightline.served);
  expect(sightline.delivered.kinds['allstak.logs']).toBeGreaterThan(0);
  expect(sightline.delivered.badBodies).toBe(0);
  expect(sightline.status).toBe('ok');

  const md = renderResults(
    {
      mode: 'smoke',
      startedAt: new Date().toISOString(),
      machine: {
        cpuModel: 'x',
        cpus: 2,
        memoryGB: 1,
        node: process.version,
        platform: 'linux',
        pinned: false,
        loadAverageAtStart: [0, 0, 0],
      },
      settings: mode,
      macro: [express],
    },
    'results/smoke.json',
  );
  expect(md).toContain('| Sightline 100% |');
  // The targets row carries the ceiling's ratio next to the floor; the ceiling is no peer and
  // delivers nothing by design, yet is not reported invalid.
  const ceiling = express.variants.find((v) => v.id === 'ceiling');
  expect(ceiling.rps).toBeGreaterThan(0);
  expect(ceiling.status).toBe('ok');
  expect(md).toMatch(
    new RegExp(`\\| express \\| [\\d.]+ \\| 0\\.95 \\| [✅❌] \\| ${ceiling.ratio.toFixed(3)}( \\(below the floor\\))? \\|`),
  );
});

test('a variant that delivers nothing is reported invalid, not fast', async () => {
  const mode = { rounds: 1, warmupSec: 0.3, durationSec: 0.5, connections: 2 };
  // Sightline pointed at a sink port that is closed again before the server starts.
  const broken = { id: 'sightline-100', kind: 'sightline', label: 'Sightline 100%', sampleRate: 1 };
  const origOpen = rig.openSink;
  rig.openSink = async (id) => {
    const url = await origOpen(id);
    if (id.endsWith('sightline-100')) return 'http://127.0.0.1:1';
    return url;
  };
  try {
    const [fw] = await runMacro(rig, mode, {
      frameworks: ['express'],
      variants: [VARIANTS[0], broken],
      seed: 2,
      log: () => {},
      serverEnv: { BENCH_FLUSH_MS: '200' },
    });
    const v = fw.variants.find((x) => x.id === 'sightline-100');
    expect(v.status).toMatch(/^invalid/);
  } finally {
    rig.openSink = origOpen;
  }
});
