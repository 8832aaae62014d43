import { ago, api, empty, fmtMs, h, section, table } from './dom.js';

function statusCards(prefix, byStatus) {
  return h(
    'div',
    { class: 'stat-cards' },
    Object.entries(byStatus).map(([status, n]) =>
      h(
        'div',
        { class: `stat stat-${status}`, testid: `${prefix}-${status}` },
        h('b', { text: String(n) }),
        h('span', { text: status }),
      ),
    ),
  );
}

/** Release-health sessions and cron heartbeats: counts by status, latest entries. */
export async function renderHealth(view) {
  const body = h('div', { class: 'results' });
  view.append(h('div', { class: 'toolbar' }, h('h2', { text: 'Sessions & heartbeats' })), body);
  async function refresh() {
    const [sessions, beats] = await Promise.all([
      api('/api/sessions?limit=50'),
      api('/api/heartbeats?limit=100'),
    ]);
    body.replaceChildren(
      section(
        'Sessions',
        statusCards('session', sessions.byStatus),
        sessions.recent.length
          ? table(
              [
                { title: 'Session', cell: (s) => h('code', { text: s.sessionId }) },
                { title: 'Status', cell: (s) => h('span', { class: `code st-${s.status}`, text: s.status }) },
                { title: 'Release', cell: (s) => s.release ?? '–' },
                { title: 'Environment', cell: (s) => s.environment ?? '–' },
                { title: 'User', cell: (s) => s.userId ?? '–' },
                { title: 'Duration', class: 'num', cell: (s) => fmtMs(s.durationMs) },
                { title: 'Started', cell: (s) => ago(s.startedAt) },
              ],
              sessions.recent,
            )
          : empty('No sessions yet (the SDK starts one per process when a release is known).'),
      ),
      section(
        'Heartbeats',
        statusCards('heartbeat', beats.byStatus),
        beats.slugs.length
          ? table(
              [
                { title: 'Monitor', cell: (b) => h('b', { text: b.slug }) },
                { title: 'Check-ins', class: 'num', cell: (b) => String(b.total) },
                { title: 'Failed', class: 'num', cell: (b) => String(b.failed) },
                {
                  title: 'Last',
                  cell: (b) => h('span', { class: `code st-${b.lastStatus}`, text: b.lastStatus }),
                },
                { title: 'Took', class: 'num', cell: (b) => fmtMs(b.lastDurationMs) },
                { title: 'Message', cell: (b) => b.lastMessage ?? '' },
                { title: 'When', cell: (b) => ago(b.lastAt) },
              ],
              beats.slugs,
            )
          : empty('No heartbeats yet (captureCheckIn / withMonitor send them).'),
      ),
    );
  }
  return { refresh };
}
