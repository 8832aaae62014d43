import { api, empty, fmtTime, h, levelBadge, serviceBadge, traceHref } from './dom.js';

const LEVELS = ['debug', 'info', 'warn', 'error', 'fatal'];

function metaText(meta) {
  if (!meta || typeof meta !== 'object') return '';
  const parts = [];
  for (const [k, v] of Object.entries(meta)) {
    parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    if (parts.length >= 8) break;
  }
  return parts.join(' ');
}

/** Logs, newest first, filterable by level, service, trace id and text; each line links to its trace. */
export async function renderLogs(view, route) {
  const params = new URLSearchParams(route.params);
  const level = h(
    'select',
    { testid: 'log-level', name: 'level' },
    h('option', { value: '', text: 'all levels' }),
    LEVELS.map((l) => h('option', { value: l, text: l, selected: params.get('level') === l })),
  );
  const services = await api('/api/services');
  const service = h(
    'select',
    { testid: 'log-service', name: 'service' },
    h('option', { value: '', text: 'all services' }),
    services.map((s) => h('option', { value: s, text: s, selected: params.get('service') === s })),
  );
  const traceId = h('input', {
    testid: 'log-trace',
    name: 'traceId',
    placeholder: 'trace id',
    value: params.get('traceId') ?? '',
    size: 34,
  });
  const q = h('input', {
    testid: 'log-search',
    name: 'q',
    type: 'search',
    placeholder: 'search text',
    value: params.get('q') ?? '',
  });
  const list = h('div', { class: 'results' });

  let timer;
  const apply = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      for (const el of [level, service, traceId, q]) {
        if (el.value.trim()) params.set(el.name, el.value.trim());
        else params.delete(el.name);
      }
      history.replaceState(null, '', `#/logs?${params}`);
      refresh();
    }, 200);
  };
  for (const el of [level, service]) el.addEventListener('change', apply);
  for (const el of [traceId, q]) el.addEventListener('input', apply);

  view.append(h('div', { class: 'toolbar' }, h('h2', { text: 'Logs' }), level, service, traceId, q), list);

  async function refresh() {
    const logs = await api(`/api/logs?limit=300&${params}`);
    if (logs.length === 0) {
      list.replaceChildren(empty(params.size ? 'No logs match these filters.' : 'No logs yet.'));
      return;
    }
    list.replaceChildren(
      h(
        'div',
        { class: 'log-lines' },
        logs.map((l) =>
          h(
            'div',
            {
              class: `log-row lvl-row-${l.level}`,
              testid: 'log-row',
              data: { level: l.level, traceId: l.traceId ?? '' },
            },
            h('span', { class: 'muted time', text: fmtTime(Date.parse(l.timestamp ?? '') || l.receivedAt) }),
            levelBadge(l.level),
            serviceBadge(l.service),
            h('span', { class: 'log-msg', text: l.message }),
            h('span', { class: 'muted log-meta', text: metaText(l.metadata) }),
            l.traceId
              ? h('a', {
                  class: 'trace-link',
                  href: traceHref(l.traceId),
                  testid: 'log-trace-link',
                  text: 'trace →',
                })
              : null,
          ),
        ),
      ),
    );
  }
  return { refresh };
}
