import { ago, api, empty, fmtMs, h, pct, serviceBadge, table } from './dom.js';

/** Per route template: count, error rate, p50/p95/p99 latency (inbound, or outbound calls). */
export async function renderRequests(view, route) {
  const params = new URLSearchParams(route.params);
  if (!params.has('direction')) params.set('direction', 'inbound');
  const direction = h(
    'select',
    { testid: 'request-direction' },
    [
      ['inbound', 'inbound (served)'],
      ['outbound', 'outbound (called)'],
    ].map(([v, t]) => h('option', { value: v, text: t, selected: params.get('direction') === v })),
  );
  const list = h('div', { class: 'results' });
  direction.addEventListener('change', () => {
    params.set('direction', direction.value);
    history.replaceState(null, '', `#/requests?${params}`);
    refresh();
  });
  view.append(h('div', { class: 'toolbar' }, h('h2', { text: 'Requests' }), direction), list);

  async function refresh() {
    const routes = await api(`/api/routes?limit=500&${params}`);
    if (routes.length === 0) {
      list.replaceChildren(empty('No HTTP records yet.'));
      return;
    }
    list.replaceChildren(
      table(
        [
          { title: 'Method', cell: (r) => h('b', { text: r.method }) },
          { title: 'Route', cell: (r) => h('code', { text: r.route }) },
          { title: 'Service', cell: (r) => serviceBadge(r.service) },
          { title: 'Count', class: 'num', cell: (r) => String(r.count) },
          {
            title: 'Error rate',
            class: 'num',
            cell: (r) =>
              h('span', { class: r.errorRate > 0 ? 'code bad' : 'code good', text: pct(r.errorRate) }),
          },
          { title: '4xx', class: 'num', cell: (r) => String(r.clientErrorCount) },
          { title: 'p50', class: 'num', cell: (r) => fmtMs(r.p50Ms) },
          { title: 'p95', class: 'num', cell: (r) => fmtMs(r.p95Ms) },
          { title: 'p99', class: 'num', cell: (r) => fmtMs(r.p99Ms) },
          { title: 'Last', cell: (r) => ago(r.lastSeen) },
        ],
        routes,
        (r) => ({ testid: 'route-row', data: { route: r.route, method: r.method } }),
      ),
    );
  }
  return { refresh };
}
