// The collector UI: hash routes, one module per view, live updates over server-sent events.
// Each view renders its controls once and returns `refresh()`, which re-reads only the data,
// so live updates never steal focus from a filter box.
import { api, h, parseHash, registerServices } from './dom.js';
import { renderErrorEvent, renderErrors } from './errors.js';
import { renderHealth } from './health.js';
import { renderLogs } from './logs.js';
import { renderRaces } from './races.js';
import { renderRequests } from './requests.js';
import { renderTrace } from './trace.js';
import { renderTraces } from './traces.js';

const main = document.getElementById('main');
const live = document.getElementById('live');
const counts = document.getElementById('counts');
let current = { refresh: async () => {} };
let generation = 0;

function pick(route) {
  switch (route.view) {
    case 'traces':
      return route.arg ? renderTrace : renderTraces;
    case 'errors':
      return route.arg ? renderErrorEvent : renderErrors;
    case 'logs':
      return renderLogs;
    case 'requests':
      return renderRequests;
    case 'health':
      return renderHealth;
    case 'races':
      return renderRaces;
    default:
      return renderTraces;
  }
}

async function show() {
  const route = parseHash();
  try {
    registerServices(await api('/api/services'));
  } catch {
    // Colors fall back to a hash of the name.
  }
  const mine = ++generation;
  for (const a of document.querySelectorAll('#nav a')) {
    a.classList.toggle('active', a.dataset.view === route.view);
  }
  const view = h('div', { class: 'view', data: { view: route.view } });
  main.replaceChildren(view);
  try {
    const v = await pick(route)(view, route);
    if (mine === generation) current = v ?? { refresh: async () => {} };
    await current.refresh();
  } catch (err) {
    if (mine === generation)
      view.replaceChildren(h('p', { class: 'error-box', text: String(err.message ?? err) }));
  }
  updateCounts();
}

async function updateCounts() {
  try {
    const c = await api('/api/stats');
    counts.replaceChildren(
      ...[
        ['traces', c.traces],
        ['spans', c.spans],
        ['errors', c.errors],
        ['logs', c.logs],
        ['requests', c.httpRequests],
      ].map(([k, n]) => h('span', { class: 'count', data: { kind: k } }, h('b', { text: n }), ` ${k}`)),
    );
  } catch {
    // The header counts are decoration; the view shows real errors.
  }
}

// Live: one refresh per burst, after the collector batched its own notifications.
let pending;
function onStored() {
  if (pending) return;
  pending = setTimeout(async () => {
    pending = undefined;
    try {
      await current.refresh();
    } catch {
      // Next event retries.
    }
    updateCounts();
    live.dataset.updated = String(Date.now());
  }, 150);
}

function connect() {
  const es = new EventSource('/api/live');
  es.addEventListener('open', () => {
    live.textContent = 'live';
    live.className = 'live on';
  });
  es.addEventListener('stored', onStored);
  es.addEventListener('error', () => {
    live.textContent = 'reconnecting…';
    live.className = 'live off';
  });
}

window.addEventListener('hashchange', show);
connect();
show();
