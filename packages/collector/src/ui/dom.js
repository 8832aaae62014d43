// Small DOM helpers for the collector UI. Every piece of telemetry is untrusted text, so it
// only ever reaches the page through textContent and attribute setters, never innerHTML.

/**
 * Creates an element. `props`: class, text, href, title, testid, style (object), data (object),
 * on<Event> handlers, anything else as an attribute. Children: nodes, strings, arrays, null.
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'testid') el.dataset.testid = v;
    else if (k === 'style') Object.assign(el.style, v);
    else if (k === 'data') Object.assign(el.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Fetches JSON from the collector's query API. */
export async function api(path) {
  const res = await fetch(path, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${(await res.text()).slice(0, 200)}`);
  return res.json();
}

/** `#/view/arg?x=1` as { view, arg, params }. */
export function parseHash(hash = location.hash) {
  const raw = hash.replace(/^#\/?/, '');
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const params = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  const slash = path.indexOf('/');
  const view = slash === -1 ? path : path.slice(0, slash);
  const arg = slash === -1 ? '' : decodeURIComponent(path.slice(slash + 1));
  return { view: view || 'traces', arg, params };
}

export const traceHref = (traceId) => `#/traces/${encodeURIComponent(traceId)}`;
export const errorHref = (id) => `#/errors/${id}`;

/** Duration: `840 ms`, `1.24 s`. */
export function fmtMs(ms) {
  if (ms === null || ms === undefined) return '–';
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function fmtTime(epochMs) {
  if (!epochMs) return '–';
  const d = new Date(epochMs);
  const p = (n, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`;
}

export function ago(epochMs) {
  if (!epochMs) return '–';
  const s = Math.max(0, Math.round((Date.now() - epochMs) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return new Date(epochMs).toLocaleDateString();
}

export const pct = (x) => `${(x * 100).toFixed(x > 0 && x < 0.1 ? 1 : 0)}%`;

// No red in the palette: red means "failed" everywhere in the UI.
const PALETTE = ['#1f6feb', '#8250df', '#1a7f37', '#bc4c00', '#0598bc', '#bf3989', '#6e7781', '#7d4e00'];
const assigned = new Map();

/** Gives the known services distinct colors, in name order, so they match on every view. */
export function registerServices(names) {
  for (const n of [...names].sort())
    if (!assigned.has(n)) assigned.set(n, PALETTE[assigned.size % PALETTE.length]);
}

/** A stable color per service name. */
export function serviceColor(name) {
  const key = String(name ?? '');
  if (!assigned.has(key)) {
    let x = 0;
    for (const ch of key) x = (x * 31 + ch.charCodeAt(0)) >>> 0;
    return PALETTE[x % PALETTE.length];
  }
  return assigned.get(key);
}

export function serviceBadge(name) {
  if (!name) return null;
  return h('span', {
    class: 'svc',
    style: { borderColor: serviceColor(name), color: serviceColor(name) },
    text: name,
  });
}

export function levelBadge(level) {
  return h('span', { class: `lvl lvl-${level}`, text: level });
}

export function statusBadge(code) {
  if (code === null || code === undefined) return null;
  const cls = code === 0 || code >= 500 ? 'bad' : code >= 400 ? 'warn' : 'good';
  return h('span', { class: `code ${cls}`, text: code === 0 ? 'network error' : String(code) });
}

/** A table from column specs `{ title, cell(row) }`. */
export function table(columns, rows, rowProps = () => ({})) {
  return h(
    'table',
    { class: 'grid' },
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        columns.map((c) => h('th', { class: c.class, text: c.title })),
      ),
    ),
    h(
      'tbody',
      {},
      rows.map((r) =>
        h(
          'tr',
          rowProps(r),
          columns.map((c) => h('td', { class: c.class }, c.cell(r))),
        ),
      ),
    ),
  );
}

export function empty(text) {
  return h('p', { class: 'empty', text });
}

/** A key/value list; skips empty values. */
export function kv(entries) {
  const rows = entries.filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (rows.length === 0) return empty('none');
  return h(
    'dl',
    { class: 'kv' },
    rows.map(([k, v]) => [h('dt', { text: k }), h('dd', {}, v instanceof Node ? v : String(v))]),
  );
}

export function section(title, ...children) {
  return h('section', { class: 'card' }, h('h3', { text: title }), ...children);
}
