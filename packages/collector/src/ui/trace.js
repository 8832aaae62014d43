import {
  api,
  empty,
  errorHref,
  fmtMs,
  fmtTime,
  h,
  kv,
  levelBadge,
  section,
  serviceBadge,
  serviceColor,
  statusBadge,
} from './dom.js';

/** Spans in tree order (parent before children, siblings by start), with their depth. */
function treeOrder(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map();
  const roots = [];
  for (const s of spans) {
    const parent = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : null;
    if (parent === null) roots.push(s);
    else {
      if (!children.has(parent)) children.set(parent, []);
      children.get(parent).push(s);
    }
  }
  const out = [];
  const byStart = (a, b) => a.startTimeMillis - b.startTimeMillis;
  const walk = (s, depth) => {
    out.push({ span: s, depth });
    for (const c of (children.get(s.spanId) ?? []).sort(byStart)) walk(c, depth + 1);
  };
  for (const r of roots.sort(byStart)) walk(r, 0);
  return out;
}

function spanDetails(s) {
  let data = s.data;
  try {
    data = s.data ? JSON.stringify(JSON.parse(s.data), null, 2) : undefined;
  } catch {
    // Not JSON: shown as sent.
  }
  return h(
    'div',
    { class: 'span-details' },
    kv([
      ['span id', s.spanId],
      ['parent', s.parentSpanId || '(root)'],
      ['service', s.service],
      ['description', s.description],
      ['status', s.status],
      ['start', fmtTime(s.startTimeMillis)],
      ['duration', fmtMs(s.durationMs)],
      ...Object.entries(s.tags ?? {}),
    ]),
    data ? h('pre', { class: 'code-block', text: data }) : null,
  );
}

function waterfall(detail) {
  const start = detail.start ?? 0;
  const total = Math.max(1, detail.durationMs);
  const rows = treeOrder(detail.spans).map(({ span: s, depth }) => {
    const left = ((s.startTimeMillis - start) / total) * 100;
    const width = Math.max(0.4, (s.durationMs / total) * 100);
    const details = h('div', { class: 'span-extra', hidden: true }, spanDetails(s));
    const row = h(
      'div',
      {
        class: `span-row${s.status === 'error' ? ' failed' : ''}`,
        testid: 'span-row',
        data: { service: s.service ?? '', spanId: s.spanId },
        onclick: () => {
          details.hidden = !details.hidden;
        },
      },
      h(
        'div',
        {
          class: 'span-label',
          style: { paddingLeft: `${depth * 14 + 4}px` },
          title: s.description ?? s.operation,
        },
        h('span', { class: 'span-op', text: s.operation }),
        serviceBadge(s.service),
        s.description && s.description !== s.operation
          ? h('span', { class: 'muted', text: ` ${s.description}` })
          : null,
      ),
      h(
        'div',
        { class: 'span-track' },
        h('div', {
          class: 'span-bar',
          style: {
            left: `${Math.min(left, 99.6)}%`,
            width: `${width}%`,
            background: serviceColor(s.service),
          },
        }),
        // Past ~85% of the track the label would run off the end: draw it inside the bar.
        left + width > 85
          ? h('span', { class: 'span-dur inside', style: { left: `${left}%` }, text: fmtMs(s.durationMs) })
          : h('span', { class: 'span-dur', style: { left: `${left + width}%` }, text: fmtMs(s.durationMs) }),
      ),
    );
    return [row, details];
  });
  return h(
    'div',
    { class: 'waterfall', testid: 'waterfall' },
    h(
      'div',
      { class: 'span-row head' },
      h('div', { class: 'span-label', text: 'Operation' }),
      h(
        'div',
        { class: 'span-track ticks' },
        [0, 0.25, 0.5, 0.75].map((f) =>
          h('span', { style: { left: `${f * 100}%` }, text: fmtMs(f * total) }),
        ),
      ),
    ),
    rows,
  );
}

function sidePanel(d) {
  const errors = d.errors.length
    ? h(
        'ul',
        { class: 'items' },
        d.errors.map((e) =>
          h(
            'li',
            { testid: 'trace-error' },
            h('a', { href: errorHref(e.id) }, h('b', { text: e.exceptionClass }), `: ${e.message}`),
            h(
              'div',
              { class: 'muted' },
              serviceBadge(e.service),
              ` ${e.handled === false ? 'unhandled' : 'handled'} · ${fmtTime(e.receivedAt)}`,
            ),
          ),
        ),
      )
    : empty('No errors in this trace.');
  const logs = d.logs.length
    ? h(
        'ul',
        { class: 'items logs' },
        d.logs.map((l) =>
          h(
            'li',
            { testid: 'trace-log' },
            h('span', { class: 'muted', text: fmtTime(Date.parse(l.timestamp ?? '') || l.receivedAt) }),
            ' ',
            levelBadge(l.level),
            ' ',
            serviceBadge(l.service),
            ' ',
            l.message,
          ),
        ),
      )
    : empty('No logs in this trace.');
  const requests = d.requests.length
    ? h(
        'ul',
        { class: 'items' },
        d.requests.map((r) =>
          h(
            'li',
            { testid: 'trace-request' },
            h('span', { class: `dir ${r.direction}`, text: r.direction === 'inbound' ? 'IN' : 'OUT' }),
            ` ${r.method} `,
            h('b', { text: r.direction === 'outbound' ? `${r.host}${r.path}` : r.path }),
            ' ',
            statusBadge(r.statusCode),
            ` ${fmtMs(r.durationMs)} `,
            serviceBadge(r.service),
          ),
        ),
      )
    : empty('No HTTP records in this trace.');
  const queries = d.queries.length
    ? h(
        'ul',
        { class: 'items' },
        d.queries.map((q) =>
          h('li', {}, h('code', { text: q.normalizedQuery }), ` ${fmtMs(q.durationMs)} ${q.status}`),
        ),
      )
    : null;
  return h(
    'aside',
    { class: 'side' },
    section(`Errors (${d.errors.length})`, errors),
    section(`Logs (${d.logs.length})`, logs),
    section(`HTTP (${d.requests.length})`, requests),
    queries ? section(`Database (${d.queries.length})`, queries) : null,
  );
}

/** One trace: the span waterfall across services, with its errors, logs and HTTP records beside it. */
export async function renderTrace(view, route) {
  const traceId = route.arg;
  async function refresh() {
    const d = await api(`/api/traces/${encodeURIComponent(traceId)}`);
    const root = treeOrder(d.spans)[0]?.span;
    const header = h(
      'div',
      { class: 'toolbar' },
      h('h2', { testid: 'trace-title', text: root ? root.operation : 'Trace' }),
      h('code', { class: 'muted', testid: 'trace-id', text: d.traceId }),
      h(
        'span',
        { class: 'muted' },
        `${d.spans.length} spans · ${fmtMs(d.durationMs)} · `,
        d.services.map(serviceBadge),
      ),
      h('a', { href: `#/logs?traceId=${d.traceId}`, text: 'logs of this trace →' }),
    );
    const body =
      d.spans.length === 0 && d.errors.length === 0 && d.logs.length === 0
        ? empty('Nothing recorded for this trace (yet).')
        : h(
            'div',
            { class: 'trace-layout' },
            d.spans.length
              ? waterfall(d)
              : empty('No spans (the trace was not sampled, or its spans have not arrived).'),
            sidePanel(d),
          );
    view.replaceChildren(header, body);
  }
  return { refresh };
}
