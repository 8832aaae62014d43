import type { IngestKind, InvalidBody, ReceivedRequest } from './types.js';

const UNWRAP: Partial<Record<IngestKind, string>> = {
  spans: 'spans',
  'http-requests': 'requests',
  db: 'queries',
};

interface Waiter {
  poll(): void;
  fail(reason: string): void;
}

/**
 * What the ingest server received, plus `waitFor`. Waiters are re-checked on every accepted
 * request instead of polling, so tests resolve as soon as the data is there.
 */
export class ReceivedStore {
  readonly requests: ReceivedRequest[] = [];
  readonly attempts: ReceivedRequest[] = [];
  readonly invalid: InvalidBody[] = [];
  private readonly waiters = new Set<Waiter>();

  accept(rec: ReceivedRequest): void {
    this.requests.push(rec);
    for (const w of [...this.waiters]) w.poll();
  }

  clear(): void {
    this.requests.length = 0;
    this.attempts.length = 0;
    this.invalid.length = 0;
  }

  items<T>(kind: IngestKind): T[] {
    const key = UNWRAP[kind];
    const out: T[] = [];
    for (const r of this.requests) {
      if (r.kind !== kind) continue;
      if (key === undefined) {
        out.push(r.body as T);
        continue;
      }
      const list = (r.body as Record<string, unknown> | null)?.[key];
      if (Array.isArray(list)) for (const item of list) out.push(item as T);
    }
    return out;
  }

  waitFor<T>(kind: IngestKind, want: number | ((items: T[]) => boolean), timeoutMs = 5000): Promise<T[]> {
    return new Promise<T[]>((resolve, reject) => {
      let lastThrow: unknown;
      const met = (items: T[]): boolean => {
        if (typeof want === 'number') return items.length >= want;
        try {
          return want(items) === true;
        } catch (err) {
          // A predicate that indexes into a still-empty list throws; that means "not yet".
          lastThrow = err;
          return false;
        }
      };
      const waiter: Waiter = {
        poll: () => {
          const items = this.items<T>(kind);
          if (!met(items)) return;
          finish();
          resolve(items);
        },
        fail: (reason) => {
          finish();
          reject(
            new Error(
              `waitFor('${kind}', ${describeWant(want)}): ${reason}\n${this.summary(kind, lastThrow)}`,
            ),
          );
        },
      };
      const timer = setTimeout(() => waiter.fail(`timed out after ${timeoutMs}ms`), timeoutMs);
      timer.unref();
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(waiter);
      };
      this.waiters.add(waiter);
      waiter.poll();
    });
  }

  /** Rejects every pending `waitFor` (the server stopped). */
  failAll(reason: string): void {
    for (const w of [...this.waiters]) w.fail(reason);
  }

  /** What did arrive, for failure messages. Bodies only: headers (with the API key) never. */
  summary(kind: IngestKind, lastThrow?: unknown): string {
    const items = this.items(kind);
    const counts = new Map<string, number>();
    for (const r of this.requests) counts.set(r.kind ?? r.path, (counts.get(r.kind ?? r.path) ?? 0) + 1);
    const accepted = [...counts].map(([k, n]) => `${k}×${n}`).join(', ') || 'none';
    const statuses = this.attempts.map((a) => `${a.path.replace('/ingest/v1/', '')}→${a.status ?? '-'}`);
    const lines = [
      `  got ${items.length} '${kind}' item(s)`,
      `  accepted requests: ${accepted}`,
      `  attempts (${this.attempts.length}): ${statuses.slice(-20).join(', ') || 'none'}`,
    ];
    if (this.invalid.length > 0) {
      lines.push(
        `  invalid (${this.invalid.length}): ${this.invalid
          .slice(-5)
          .map((i) => `${i.path}: ${i.error}`)
          .join('; ')}`,
      );
    }
    if (lastThrow !== undefined) lines.push(`  predicate last threw: ${String(lastThrow)}`);
    if (items.length > 0) lines.push(`  '${kind}' items: ${truncate(safeJson(items), 2000)}`);
    return lines.join('\n');
  }
}

function describeWant(want: unknown): string {
  return typeof want === 'number' ? String(want) : 'predicate';
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more chars)` : s;
}
