import {
  ago,
  api,
  empty,
  errorHref,
  fmtTime,
  h,
  kv,
  levelBadge,
  section,
  serviceBadge,
  table,
  traceHref,
} from './dom.js';

/** Error groups (by fingerprint / class + in-app frame), most recent first, with counts. */
export async function renderErrors(view) {
  const list = h('div', { class: 'results' });
  view.append(
    h(
      'div',
      { class: 'toolbar' },
      h('h2', { text: 'Errors' }),
      h('span', { class: 'muted', text: 'grouped by fingerprint' }),
    ),
    list,
  );
  async function refresh() {
    const groups = await api('/api/errors/groups?limit=200');
    if (groups.length === 0) {
      list.replaceChildren(empty('No errors. Nice.'));
      return;
    }
    list.replaceChildren(
      table(
        [
          {
            title: 'Error',
            cell: (g) =>
              h(
                'a',
                { href: errorHref(g.lastId), class: 'err-link', testid: 'error-group-link' },
                h('b', { text: g.exceptionClass }),
                h('span', { class: 'msg', text: g.message }),
              ),
          },
          { title: 'Level', cell: (g) => levelBadge(g.level) },
          {
            title: 'Events',
            class: 'num',
            cell: (g) => h('b', { testid: 'error-count', text: String(g.count) }),
          },
          { title: 'Services', cell: (g) => g.services.map(serviceBadge) },
          { title: 'Routes', cell: (g) => h('code', { class: 'muted', text: g.routes.join(', ') }) },
          { title: 'Last seen', cell: (g) => ago(g.lastSeen) },
          { title: 'First seen', cell: (g) => ago(g.firstSeen) },
        ],
        groups,
        (g) => ({ testid: 'error-group', data: { group: g.groupKey } }),
      ),
    );
  }
  return { refresh };
}

function sourceContext(f) {
  if (f.contextLine === undefined) return null;
  const pre = f.preContext ?? [];
  const post = f.postContext ?? [];
  const first = (f.lineno ?? pre.length + 1) - pre.length;
  const lines = [...pre, f.contextLine, ...post];
  return h(
    'pre',
    { class: 'source' },
    lines.map((text, i) =>
      h(
        'div',
        { class: i === pre.length ? 'line hit' : 'line' },
        h('span', { class: 'ln', text: String(first + i) }),
        text,
      ),
    ),
  );
}

function frames(event) {
  // The wire sends innermost last; people read innermost first.
  const list = [...(event.frames ?? [])].reverse();
  if (list.length === 0) {
    return event.stackTrace?.length
      ? h('pre', { class: 'code-block', text: event.stackTrace.join('\n') })
      : empty('No stack trace.');
  }
  return h(
    'ol',
    { class: 'frames' },
    list.map((f) =>
      h(
        'li',
        { class: f.inApp ? 'frame in-app' : 'frame', testid: 'frame', data: { inApp: String(f.inApp) } },
        h(
          'div',
          { class: 'frame-head' },
          f.inApp ? h('span', { class: 'tag-app', text: 'in app' }) : null,
          h('b', { text: f.function || '<anonymous>' }),
          h('span', {
            class: 'muted',
            text: ` ${f.filename}${f.lineno ? `:${f.lineno}` : ''}${f.colno ? `:${f.colno}` : ''}`,
          }),
        ),
        f.inApp ? sourceContext(f) : null,
      ),
    ),
  );
}

function causes(meta) {
  const out = [];
  for (
    let i = 0;
    meta[`cause.${i}.exceptionClass`] !== undefined || meta[`cause.${i}.message`] !== undefined;
    i++
  ) {
    out.push({
      type: meta[`cause.${i}.exceptionClass`],
      message: meta[`cause.${i}.message`],
      stack: meta[`cause.${i}.stackTrace`],
    });
  }
  return out;
}

/** One error event: message, cause chain, frames with source, breadcrumbs, user, tags, request. */
export async function renderErrorEvent(view, route) {
  const id = Number(route.arg);
  async function refresh() {
    const e = await api(`/api/errors/${id}`);
    const meta = e.metadata ?? {};
    const chain = causes(meta);
    const tags = Object.entries(meta).filter(([k]) => !k.startsWith('cause.') && !k.startsWith('context.'));
    const contexts = Object.entries(meta).filter(([k]) => k.startsWith('context.'));
    const crumbs = e.breadcrumbs ?? [];
    const others = await api(`/api/errors?limit=20&group=${encodeURIComponent(e.groupKey)}`);
    view.replaceChildren(
      h(
        'div',
        { class: 'toolbar' },
        h('a', { href: '#/errors', text: '← errors' }),
        levelBadge(e.level ?? 'error'),
        meta.handled === false
          ? h('span', { class: 'code bad', text: 'unhandled' })
          : h('span', { class: 'code', text: 'handled' }),
        serviceBadge(e.service),
        e.traceId
          ? h('a', {
              class: 'button',
              href: traceHref(e.traceId),
              testid: 'error-trace-link',
              text: 'View trace →',
            })
          : null,
      ),
      h(
        'h2',
        { class: 'err-title', testid: 'error-title' },
        h('span', { text: e.exceptionClass }),
        h('span', { class: 'msg', testid: 'error-message', text: e.message }),
      ),
      h('p', {
        class: 'muted',
        text: `${e.groupCount} event(s) in this group · received ${fmtTime(e.receivedAt)} · ${e.release ?? 'no release'} · ${e.environment ?? ''}`,
      }),
      h(
        'div',
        { class: 'two-col' },
        h(
          'div',
          {},
          chain.length
            ? section(
                'Caused by',
                h(
                  'ol',
                  { class: 'causes', testid: 'causes' },
                  chain.map((c) =>
                    h(
                      'li',
                      {},
                      h('b', { text: c.type ?? 'Error' }),
                      `: ${c.message ?? ''}`,
                      c.stack ? h('pre', { class: 'code-block', text: c.stack }) : null,
                    ),
                  ),
                ),
              )
            : null,
          section('Stack trace', frames(e)),
          section(
            `Breadcrumbs (${crumbs.length})`,
            crumbs.length
              ? table(
                  [
                    { title: 'Time', cell: (b) => fmtTime(Date.parse(b.timestamp)) },
                    { title: 'Type', cell: (b) => `${b.type}${b.category ? ` · ${b.category}` : ''}` },
                    { title: 'Level', cell: (b) => levelBadge(b.level) },
                    { title: 'Message', cell: (b) => b.message },
                  ],
                  crumbs,
                  () => ({ testid: 'breadcrumb' }),
                )
              : empty('No breadcrumbs.'),
          ),
        ),
        h(
          'div',
          {},
          section(
            'Request',
            h(
              'div',
              { testid: 'request' },
              kv(Object.entries({ ...(e.requestContext ?? {}), requestId: e.requestId })),
            ),
          ),
          section('User', h('div', { testid: 'user' }, kv(Object.entries(e.user ?? {})))),
          section('Tags', h('div', { testid: 'tags' }, kv(tags))),
          contexts.length ? section('Contexts', kv(contexts)) : null,
          section(
            'Trace',
            kv([
              ['trace id', e.traceId],
              ['span id', e.spanId],
              ['session', e.sessionId],
            ]),
          ),
          section(
            'Other events in this group',
            h(
              'ul',
              { class: 'items' },
              others.map((o) =>
                h(
                  'li',
                  {},
                  h('a', { href: errorHref(o.id), text: `#${o.id}` }),
                  ` ${fmtTime(o.receivedAt)} `,
                  o.route ? h('code', { text: o.route }) : null,
                ),
              ),
            ),
          ),
        ),
      ),
    );
  }
  return { refresh };
}
