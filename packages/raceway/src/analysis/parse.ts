/**
 * Reads Raceway events from text: a `POST /events` body (`{ "events": [...] }`), a bare JSON
 * array, or NDJSON where each line is an event or a batch. Lines that do not parse are counted,
 * not thrown.
 *
 * @example
 * const { events } = parseRacewayEvents(fs.readFileSync('events.ndjson', 'utf8'));
 */
export function parseRacewayEvents(text: string): { events: unknown[]; unreadable: number } {
  const events: unknown[] = [];
  let unreadable = 0;
  const add = (v: unknown): boolean => {
    if (Array.isArray(v)) {
      for (const e of v) events.push(e);
      return true;
    }
    if (v !== null && typeof v === 'object') {
      const batch = (v as { events?: unknown }).events;
      if (Array.isArray(batch)) {
        for (const e of batch) events.push(e);
      } else {
        events.push(v);
      }
      return true;
    }
    return false;
  };
  const trimmed = text.trim();
  if (trimmed === '') return { events, unreadable };
  try {
    if (add(JSON.parse(trimmed))) return { events, unreadable };
  } catch {
    // Not one JSON document: read it as NDJSON below.
  }
  for (const line of trimmed.split('\n')) {
    const l = line.trim();
    if (l === '') continue;
    try {
      if (!add(JSON.parse(l))) unreadable++;
    } catch {
      unreadable++;
    }
  }
  return { events, unreadable };
}
