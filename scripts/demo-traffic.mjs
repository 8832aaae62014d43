// The demo's traffic and its read-back: what is sent to the gateway, how the cross-service trace
// is checked, and the summary printed from the collector's query API.

/** A short burst of mixed traffic: success, downstream calls, a 404, a handled error, two 5xx. */
export const TRAFFIC = [
  { method: 'GET', path: '/api/orders/1', note: 'downstream call to the backend', trace: true },
  { method: 'GET', path: '/api/orders/2', note: 'downstream call to the backend' },
  { method: 'GET', path: '/api/orders/404', note: '404 from the backend' },
  { method: 'GET', path: '/api/profile/7', note: 'handled error (captureException), still 200' },
  { method: 'POST', path: '/api/orders/1/pay', note: 'backend throws (500), gateway answers 502' },
  { method: 'GET', path: '/api/reports/3', note: 'unhandled bug in the gateway (500)' },
  { method: 'GET', path: '/api/orders/1', note: 'downstream call to the backend' },
];

/** Sends TRAFFIC to the gateway; returns each response's status and trace id. */
export async function driveTraffic(gatewayUrl) {
  const results = [];
  for (const t of TRAFFIC) {
    const res = await fetch(`${gatewayUrl}${t.path}`, { method: t.method });
    await res.arrayBuffer();
    results.push({ ...t, status: res.status, traceId: res.headers.get('x-allstak-trace-id') });
  }
  return results;
}

async function getJson(base, path) {
  const res = await fetch(`${base}${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

/**
 * What a complete gateway → backend trace holds: the gateway's server span, its outbound
 * client span, the backend's server span as that client span's child, logs from both services
 * and the three HTTP records (gateway in, gateway out, backend in). Returns the problems found.
 */
export function traceProblems(t) {
  const problems = [];
  const gwServer = t.spans.find((s) => s.service === 'gateway' && s.tags?.['span.kind'] === 'server');
  const gwClient = t.spans.find((s) => s.service === 'gateway' && s.tags?.['span.kind'] === 'client');
  const beServer = t.spans.find((s) => s.service === 'backend' && s.tags?.['span.kind'] === 'server');
  if (!gwServer) problems.push('no gateway server span');
  if (!gwClient) problems.push('no gateway client (fetch) span');
  else if (gwServer && gwClient.parentSpanId !== gwServer.spanId)
    problems.push('fetch span is not under the gateway span');
  if (!beServer) problems.push('no backend server span');
  else if (gwClient && beServer.parentSpanId !== gwClient.spanId)
    problems.push('backend span is not a child of the fetch span');
  for (const svc of ['gateway', 'backend']) {
    if (!t.logs.some((l) => l.service === svc)) problems.push(`no ${svc} logs`);
  }
  const has = (svc, dir) => t.requests.some((r) => r.service === svc && r.direction === dir);
  if (!has('gateway', 'inbound')) problems.push('no gateway inbound http record');
  if (!has('gateway', 'outbound')) problems.push('no gateway outbound http record');
  if (!has('backend', 'inbound')) problems.push('no backend inbound http record');
  return problems;
}

/** Polls the collector until the trace is complete or `timeoutMs` passes. */
export async function waitForTrace(collectorUrl, traceId, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const t = await getJson(collectorUrl, `/api/traces/${traceId}`);
    const problems = traceProblems(t);
    if (problems.length === 0 || Date.now() > deadline) return { trace: t, problems };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The summary, read back from the collector's query API. */
export async function summary(collectorUrl, results, check) {
  const [stats, groups, routes, sessions] = await Promise.all([
    getJson(collectorUrl, '/api/stats'),
    getJson(collectorUrl, '/api/errors/groups'),
    getJson(collectorUrl, '/api/routes?direction=inbound'),
    getJson(collectorUrl, '/api/sessions'),
  ]);
  const lines = [];
  const pad = (s, n) => String(s).padEnd(n);
  lines.push('', 'Traffic sent to the gateway:');
  for (const r of results) lines.push(`  ${pad(r.status, 4)} ${pad(`${r.method} ${r.path}`, 26)} ${r.note}`);
  lines.push('', 'Received by the collector (read back from its query API):');
  lines.push(`  spans          ${stats.spans}  (${stats.traces} traces)`);
  lines.push(`  errors         ${stats.errors}  in ${groups.length} groups`);
  for (const g of groups)
    lines.push(
      `                   ${g.count}x ${g.exceptionClass}: ${g.message}  [${g.services.join(', ') || '?'}]`,
    );
  lines.push(`  logs           ${stats.logs}`);
  lines.push(`  http requests  ${stats.httpRequests}`);
  for (const r of routes) {
    lines.push(
      `                   ${pad(`${r.method} ${r.route}`, 28)} ${pad(r.service ?? '', 8)} ${r.count}x  errors ${Math.round(r.errorRate * 100)}%  p95 ${r.p95Ms} ms`,
    );
  }
  lines.push(`  db queries     ${stats.db}`);
  lines.push(
    `  sessions       ${stats.sessions}  (${Object.entries(sessions.byStatus)
      .filter(([, n]) => n > 0)
      .map(([s, n]) => `${n} ${s}`)
      .join(', ')})`,
  );
  lines.push(`  heartbeats     ${stats.heartbeats}`);
  lines.push('');
  const t = check.trace;
  const services = [...new Set(t.spans.map((s) => s.service).filter(Boolean))];
  if (check.problems.length === 0) {
    lines.push(`Cross-service trace ${t.traceId}: complete`);
    lines.push(
      `  ${t.spans.length} spans across ${services.join(' -> ')}, ${t.logs.length} logs, ${t.requests.length} http records, ${t.queries.length} db queries`,
    );
  } else {
    lines.push(`Cross-service trace ${t.traceId ?? '(none)'}: INCOMPLETE - ${check.problems.join('; ')}`);
  }
  lines.push(`  open it: ${collectorUrl}/#/traces/${t.traceId}`);
  return { text: lines.join('\n'), stats };
}
