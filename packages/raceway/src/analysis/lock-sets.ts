import { type AnalyzedEvent, byTime } from './events.js';

/**
 * The locks each event holds. Like the Raceway server, the analysis does not rely on what a
 * client put into `lock_set` alone: it replays every context's `LockAcquire` / `LockRelease`
 * events in time order and adds the locks held at that point (an SDK that always sends
 * `lock_set: []`, as Raceway's own TypeScript SDK does, is still understood). A lock taken twice
 * (re-entrant) is held until released twice.
 */
export function effectiveLockSets(events: readonly AnalyzedEvent[]): Map<AnalyzedEvent, readonly string[]> {
  const byContext = new Map<string, AnalyzedEvent[]>();
  for (const e of events) {
    let list = byContext.get(e.contextKey);
    if (!list) byContext.set(e.contextKey, (list = []));
    list.push(e);
  }
  const out = new Map<AnalyzedEvent, readonly string[]>();
  for (const list of byContext.values()) {
    list.sort(byTime);
    const held = new Map<string, number>();
    for (const e of list) {
      const lockId = typeof e.data.lock_id === 'string' ? e.data.lock_id : undefined;
      if (e.kind === 'LockAcquire' && lockId !== undefined) {
        held.set(lockId, (held.get(lockId) ?? 0) + 1);
      } else if (e.kind === 'LockRelease' && lockId !== undefined) {
        const n = held.get(lockId) ?? 0;
        if (n <= 1) held.delete(lockId);
        else held.set(lockId, n - 1);
      }
      if (e.kind !== 'StateChange') continue;
      if (held.size === 0) {
        out.set(e, e.lockSet);
        continue;
      }
      const set = [...e.lockSet];
      for (const l of held.keys()) if (!set.includes(l)) set.push(l);
      out.set(e, set);
    }
  }
  return out;
}

/** True when the two lock sets share a lock. */
export function shareALock(a: readonly string[], b: readonly string[]): boolean {
  if (a.length === 0 || b.length === 0) return false;
  for (const l of a) if (b.includes(l)) return true;
  return false;
}
