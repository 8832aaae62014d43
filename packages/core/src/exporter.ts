import type { DebugLogger } from './debug.js';
import type { ResolvedOptions } from './options.js';
import type { ItemKind, ItemKinds } from './types.js';

/** What an exporter is told when the client starts it. */
export interface ExporterSetup {
  readonly options: ResolvedOptions;
  readonly debug: DebugLogger;
  readonly sdkVersion: string;
}

/**
 * A backend. The client hands it model items of the kinds it accepts; it owns the wire mapping
 * and its own bounded transport queue. `export` must be O(1) and never throw.
 */
export interface Exporter {
  readonly name: string;
  accepts(kind: ItemKind): boolean;
  /** Called once by `init` before the first item. */
  setup?(ctx: ExporterSetup): void;
  /** Returns false when the item was dropped (queue full, closed). */
  export<K extends ItemKind>(kind: K, item: ItemKinds[K]): boolean;
  flush(timeoutMs: number): Promise<boolean>;
  close(timeoutMs: number): Promise<boolean>;
  getStats(): unknown;
}
