import type { Client } from './client.js';
import type { DebugLogger } from './debug.js';
import type { ResolvedOptions } from './options.js';
import type { ItemKind, ItemKinds } from './types.js';

/** What an exporter is told when the client starts it. */
export interface ExporterSetup {
  readonly options: ResolvedOptions;
  readonly debug: DebugLogger;
  readonly sdkVersion: string;
  /** The client starting the exporter (e.g. for `registerSdkOrigin`, so its traffic is never instrumented). */
  readonly client: Client;
}

/** Ids of the log record being written, for {@link Exporter.logFields}. */
export interface LogCorrelationContext {
  traceId: string | undefined;
  spanId: string | undefined;
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
  /**
   * Extra fields logger integrations add to each record while this exporter is active, in the
   * backend's own correlation format (e.g. Datadog's `dd.trace_id`). Must be cheap and never throw.
   */
  logFields?(ctx: LogCorrelationContext): Record<string, string> | undefined;
}
