import { api, empty, h, kv, section, serviceBadge, table, traceHref } from './dom.js';

function value(v) {
  let s;
  try {
    s = JSON.stringify(v ?? null);
  } catch {
    s = String(v);
  }
  return s.length > 120 ? `${s.slice(0, 119)}…` : s;
}

function accessCard(label, a) {
  const isRead = a.accessType.endsWith('Read');
  return h(
    'div',
    { class: 'card race-access', testid: 'race-access' },
    h('h3', {}, `${label} · `, h('span', { class: `code ${isRead ? '' : 'warn'}`, text: a.accessType })),
    kv([
      ['Value', isRead ? value(a.newValue ?? a.oldValue) : `${value(a.oldValue)} → ${value(a.newValue)}`],
      ['Location', h('code', { text: a.location || 'unknown', testid: 'race-location' })],
      ['Request', a.request],
      ['Service', a.service ? serviceBadge(a.service) : undefined],
      ['Instance', a.instance],
      [
        'Trace',
        a.traceIdHex
          ? h('a', {
              href: traceHref(a.traceIdHex),
              class: 'trace-link',
              text: a.traceIdHex,
              testid: 'race-trace',
            })
          : a.traceId,
      ],
      ['Request id', a.requestId],
      ['Context', h('code', { text: a.threadId })],
      ['Locks held', a.locks.length ? a.locks.join(', ') : 'none'],
      ['At', a.timestamp],
    ]),
  );
}

/**
 * Data races found in the Raceway events sent to `POST /events`: two accesses to one variable,
 * at least one a write, from different requests, concurrent by their vector clocks, no common lock.
 */
export async function renderRaces(view) {
  const summary = h('span', { class: 'muted', testid: 'races-summary' });
  const body = h('div', { class: 'results' });
  view.append(h('div', { class: 'toolbar' }, h('h2', { text: 'Races' }), summary), body);
  async function refresh() {
    const report = await api('/api/races');
    summary.textContent = `${report.events} events · ${report.stateChanges} state changes · ${report.contexts} request contexts`;
    if (report.events === 0) {
      body.replaceChildren(
        empty(
          'No Raceway events yet. Send them with racewayExporter({ url: "<this collector>" }) from @sightline/raceway, or any Raceway SDK.',
        ),
      );
      return;
    }
    if (report.raceCount === 0) {
      body.replaceChildren(
        h('p', {
          class: 'empty',
          testid: 'races-none',
          text: 'No races: every conflicting pair of accesses is ordered or holds a common lock.',
        }),
      );
      return;
    }
    const parts = [
      h('p', {
        testid: 'races-count',
        text: `${report.raceCount} race${report.raceCount === 1 ? '' : 's'} on ${report.variables.length} variable${report.variables.length === 1 ? '' : 's'}${report.truncated ? ' (the list below is shortened)' : ''}.`,
      }),
    ];
    for (const v of report.variables) {
      const races = report.races.filter((r) => r.variable === v.variable);
      const card = section(
        v.variable,
        h('p', {
          class: 'muted',
          text: `${v.races} race${v.races === 1 ? '' : 's'} between ${v.contexts} request contexts, ${v.accesses} accesses`,
        }),
        table(
          [
            { title: 'First access at', cell: (l) => h('code', { text: l.first }) },
            { title: 'Second access at', cell: (l) => h('code', { text: l.second }) },
            { title: 'Races', class: 'num', cell: (l) => String(l.races) },
          ],
          v.locations,
        ),
        races
          .slice(0, 10)
          .map((r, i) =>
            h(
              'div',
              { class: 'race', testid: 'race' },
              h('p', { class: 'muted', text: `Race ${i + 1}: ${r.kind}` }),
              h('div', { class: 'race-pair' }, accessCard('A', r.first), accessCard('B', r.second)),
            ),
          ),
      );
      // Variable names are case-sensitive: not shouted like the other card titles.
      card.classList.add('race-variable');
      parts.push(card);
    }
    body.replaceChildren(...parts);
  }
  return { refresh };
}
