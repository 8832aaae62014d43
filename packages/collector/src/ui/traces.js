import { ago, api, empty, fmtMs, h, serviceBadge, statusBadge, table, traceHref } from './dom.js';

/** Traces, newest first: root operation, services, duration, status, error count. */
export async function renderTraces(view, route) {
  const params = new URLSearchParams(route.params);
  const status = h(
    'select',
    { testid: 'trace-status' },
    [
      ['', 'all statuses'],
      ['error', 'with errors'],
      ['ok', 'ok'],
    ].map(([v, t]) => h('option', { value: v, text: t, selected: params.get('status') === v })),
  );
  const routes = [
    ...new Set((await api('/api/routes?direction=inbound&limit=1000')).map((r) => r.route)),
  ].sort();
  const routeSelect = h(
    'select',
    { testid: 'trace-route' },
    h('option', { value: '', text: 'all routes' }),
    routes.map((r) => h('option', { value: r, text: r, selected: params.get('route') === r })),
  );
  const list = h('div', { class: 'results' });
  const apply = () => {
    for (const [name, el] of [
      ['status', status],
      ['route', routeSelect],
    ]) {
      if (el.value) params.set(name, el.value);
      else params.delete(name);
    }
    history.replaceState(null, '', `#/traces?${params}`);
    refresh();
  };
  status.addEventListener('change', apply);
  routeSelect.addEventListener('change', apply);
  view.append(h('div', { class: 'toolbar' }, h('h2', { text: 'Traces' }), routeSelect, status), list);

  async function refresh() {
    const traces = await api(`/api/traces?limit=200&${params}`);
    if (traces.length === 0) {
      list.replaceChildren(empty('No traces yet. Point an SDK at this collector and send a request.'));
      return;
    }
    const longest = Math.max(1, ...traces.map((t) => t.durationMs));
    list.replaceChildren(
      table(
        [
          {
            title: 'Operation',
            cell: (t) =>
              h(
                'a',
                { href: traceHref(t.traceId), class: 'op', testid: 'trace-link' },
                t.status === 'error'
                  ? h('span', { class: 'dot bad', title: 'has failed spans' })
                  : h('span', { class: 'dot good' }),
                t.rootOperation,
              ),
          },
          { title: 'Services', cell: (t) => t.services.map(serviceBadge) },
          { title: 'Status', cell: (t) => statusBadge(t.statusCode) },
          {
            title: 'Duration',
            class: 'num',
            cell: (t) => [
              h('span', {
                class: 'mini-bar',
                style: { width: `${Math.max(2, (t.durationMs / longest) * 60)}px` },
              }),
              fmtMs(t.durationMs),
            ],
          },
          { title: 'Spans', class: 'num', cell: (t) => String(t.spanCount) },
          {
            title: 'Errors',
            class: 'num',
            cell: (t) => (t.errorCount ? h('span', { class: 'code bad', text: String(t.errorCount) }) : '0'),
          },
          {
            title: 'When',
            cell: (t) => h('span', { title: new Date(t.start).toISOString(), text: ago(t.start) }),
          },
        ],
        traces,
        (t) => ({ testid: 'trace-row', data: { traceId: t.traceId } }),
      ),
    );
  }
  return { refresh };
}
