// Renders RESULTS.md from one results JSON. Pure: same JSON, same Markdown.

const fmt = (x, digits = 2) =>
  x === null || x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits);
const pct = (x) => (x === null || x === undefined ? '–' : `${Math.round(x * 100)}%`);
const int = (x) => (x === null || x === undefined ? '–' : Math.round(x).toLocaleString('en-US'));
const mark = (ok) => (ok === null ? '–' : ok ? '✅' : '❌');

function deliveredCell(v) {
  if (v.kind === 'bare' || v.kind === 'ceiling') return '–';
  if (!v.delivered) return '0';
  return `${int(v.delivered.items)} (${pct(v.coverage)} of requests)`;
}

/** Checks the targets the harness is judged by, for one framework. */
function targets(fw) {
  const sl = fw.variants.find((v) => v.id === 'sightline-100');
  if (!sl) return null;
  const peers = fw.variants.filter((v) => !['bare', 'ceiling', 'sightline'].includes(v.kind));
  const ceiling = fw.variants.find((v) => v.kind === 'ceiling');
  const validPeers = peers.filter((p) => !p.status.startsWith('invalid'));
  const floor = { express: 0.95, fastify: 0.9 }[fw.framework];
  return {
    floor,
    ceiling: ceiling?.ratio ?? null,
    // The floor is out of reach for any SDK that keeps async context when Node alone costs more.
    floorAboveCeiling: floor === undefined || !ceiling || ceiling.ratio === null ? null : floor > ceiling.ratio,
    meetsFloor: floor === undefined ? null : sl.ratio !== null && sl.ratio >= floor,
    beatsPeersThroughput: validPeers.length ? validPeers.every((p) => sl.ratio > p.ratio) : null,
    beatsPeersP99: validPeers.length ? validPeers.every((p) => sl.p99 < p.p99) : null,
    sightline: sl,
  };
}

function macroSection(macro) {
  const lines = [];
  const fws = macro.map((f) => f.framework);
  const ids = macro[0].variants.map((v) => v.id);
  const cell = (fw, id, fn) => {
    const v = macro.find((f) => f.framework === fw)?.variants.find((x) => x.id === id);
    return v ? fn(v) : '–';
  };
  lines.push('### Throughput ratio to bare (median of per-round ratios; higher is better)', '');
  lines.push(`| variant | ${fws.join(' | ')} |`, `|---|${fws.map(() => '---:').join('|')}|`);
  for (const id of ids) {
    const label = macro[0].variants.find((v) => v.id === id).label;
    lines.push(
      `| ${label} | ${fws.map((fw) => cell(fw, id, (v) => `${fmt(v.ratio, 3)}${v.status === 'ok' ? '' : ' ⚠'}`)).join(' | ')} |`,
    );
  }
  lines.push(
    '',
    '⚠ = see the status column below (nothing or too little delivered, or failed requests).',
    '',
  );
  lines.push('### p99 latency in ms (median over rounds; lower is better)', '');
  lines.push(`| variant | ${fws.join(' | ')} |`, `|---|${fws.map(() => '---:').join('|')}|`);
  for (const id of ids) {
    const label = macro[0].variants.find((v) => v.id === id).label;
    lines.push(`| ${label} | ${fws.map((fw) => cell(fw, id, (v) => fmt(v.p99, 1))).join(' | ')} |`);
  }
  lines.push('');
  for (const fw of macro) {
    lines.push(`### ${fw.framework}`, '');
    lines.push(
      '| variant | req/s ratio | CPU-normalized ratio | req/s | p50 ms | p99 ms | p99 × bare | server CPU | RSS MB | items delivered | status |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
    );
    for (const v of fw.variants) {
      lines.push(
        `| ${v.label} | ${fmt(v.ratio, 3)} | ${fmt(v.cpuRatio, 3)} | ${int(v.rps)} | ${fmt(v.p50, 1)} | ${fmt(v.p99, 1)} | ${fmt(v.p99Ratio, 2)} | ${pct(v.serverCpu)} | ${fmt(v.rssMB, 1)} | ${deliveredCell(v)} | ${v.status} |`,
      );
    }
    lines.push('');
  }
  return lines;
}

function targetsSection(results) {
  const lines = ['## Targets', ''];
  lines.push(
    '| framework | Sightline 100% ratio | floor | meets floor | ceiling (bare + AsyncLocalStorage) | beats every peer on ratio | beats every peer on p99 |',
    '|---|---:|---:|:-:|---:|:-:|:-:|',
  );
  for (const fw of results.macro) {
    const t = targets(fw);
    if (!t) continue;
    lines.push(
      `| ${fw.framework} | ${fmt(t.sightline.ratio, 3)} | ${t.floor ?? '–'} | ${mark(t.meetsFloor)} | ${fmt(t.ceiling, 3)}${t.floorAboveCeiling ? ' (below the floor)' : ''} | ${mark(t.beatsPeersThroughput)} | ${mark(t.beatsPeersP99)} |`,
    );
  }
  if (results.macro.some((fw) => targets(fw)?.ceiling !== null && targets(fw)?.ceiling !== undefined))
    lines.push(
      '',
      'The ceiling is the framework with an `AsyncLocalStorage` holding a store per request and no SDK at all: what',
      'Node 20 charges any SDK that keeps request context across `await` (Sightline, OpenTelemetry, dd-trace and',
      'Sentry all do). Where it is below the floor, no such SDK can meet the floor on this Node version.',
    );
  const down = results.memory?.scenarios?.find((s) => s.sink.startsWith('down'));
  if (down)
    lines.push(
      '',
      `Memory flat with the ingest sink down: ${mark(down.flat)} (retained heap ${down.heapRetainedMB.map((r) => r.heapUsedMB).join(' → ')} MB over ${down.durationSec} s).`,
    );
  lines.push('');
  return lines;
}

function microSection(micro) {
  const lines = ['## Micro-benchmarks (hot paths)', ''];
  lines.push(
    `Transport: ${micro.transport}. tinybench, ${micro.settings.timeMs} ms per task. The median is the call itself; the mean also carries the garbage collection the calls cause (and, in short runs, whichever pause happened to land in them).`,
    '',
  );
  lines.push('| group | operation | median ns | mean ns | p99 ns |', '|---|---|---:|---:|---:|');
  for (const r of micro.results)
    lines.push(`| ${r.group} | ${r.name} | ${int(r.nsPerOp)} | ${int(r.meanNs)} | ${int(r.p99Ns)} |`);
  lines.push('');
  return lines;
}

function memorySection(memory) {
  const lines = ['## Memory under sustained load (Express + Sightline 100%)', ''];
  lines.push(
    '| ingest sink | duration s | requests | req/s | RSS start → peak → end MB | retained heap MB (0, ¼, ½, ¾, end) | RSS slope 2nd half MB/min | dropped at queue bound | flat |',
    '|---|---:|---:|---:|---|---|---:|---:|:-:|',
  );
  for (const s of memory.scenarios) {
    lines.push(
      `| ${s.sink} | ${s.durationSec} | ${int(s.requests)} | ${int(s.rps)} | ${s.rssStartMB} → ${s.rssPeakMB} → ${s.rssEndMB} | ${s.heapRetainedMB.map((r) => r.heapUsedMB).join(' → ')} | ${fmt(s.rssSlopeSecondHalfMBPerMin, 1)} | ${int(s.transport?.droppedQueueFull)} | ${mark(s.flat)} |`,
    );
  }
  lines.push('');
  return lines;
}

function coldSection(cold) {
  const lines = ['## Cold start (fresh process per sample, median)', ''];
  lines.push('| package | require ms | init ms | RSS MB |', '|---|---:|---:|---:|');
  for (const c of cold)
    lines.push(`| ${c.id} | ${fmt(c.requireMs, 1)} | ${fmt(c.initMs, 1)} | ${fmt(c.rssMB, 1)} |`);
  lines.push('');
  return lines;
}

export function renderResults(results, file) {
  const m = results.machine;
  const s = results.settings;
  const lines = [
    '# Benchmark results',
    '',
    `<!-- Generated by bench/src/report.mjs from ${file}. Do not edit by hand: re-run \`pnpm bench\`. -->`,
    '',
    `Run: **${results.mode}** mode, ${results.startedAt}, ${results.durationSec ?? '?'} s; raw data in [\`${file}\`](${file}).`,
    `Machine: ${m.cpuModel}, ${m.cpus} CPUs, ${m.memoryGB} GB, Node ${m.node} (${m.platform}); ${m.pinned ? 'servers pinned to CPU 0, sink + stub + load generator to CPU 1' : 'no CPU pinning'}; load average at start ${m.loadAverageAtStart.join(' / ')}.`,
    `Load: autocannon, ${s.connections} connections, ${s.rounds} rounds × ${s.durationSec} s per variant after a ${s.warmupSec} s warm-up, variants shuffled in every round; request mix \`${(results.macro?.[0]?.job.paths ?? []).join(' ')}\` (60% JSON read, 20% log line, 20% outbound fetch).`,
    '',
    'Ratios are to the bare framework **in the same round**, median over rounds: the machine is shared and',
    'noisy, and only same-run ratios are comparable. The CPU-normalized ratio divides each throughput by the',
    "CPU share the server process actually got, which cancels most of the noise from other processes; when the server's CPU share is well below 100% the",
    'plain ratio is understated for every variant alike. See [README.md](README.md) for the method.',
    '',
  ];
  if (results.macro)
    lines.push(...targetsSection(results), '## Throughput and latency', '', ...macroSection(results.macro));
  if (results.memory) lines.push(...memorySection(results.memory));
  if (results.micro) lines.push(...microSection(results.micro));
  if (results.coldStart) lines.push(...coldSection(results.coldStart));
  return `${lines.join('\n')}\n`;
}
