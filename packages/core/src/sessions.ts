import { newUuid } from './ids.js';
import type { SessionEndRecord, SessionStartRecord, SessionStatus } from './types.js';

/** Where session items go (the client). */
export interface SessionSink {
  sendSessionStart(start: SessionStartRecord): void;
  sendSessionEnd(end: SessionEndRecord): void;
}

/**
 * One release-health session. Status rules (PROTOCOL.md): `ok → errored` on a handled error;
 * `crashed` is terminal and wins over everything; `abnormal` only when set explicitly.
 */
export class Session {
  readonly sessionId = newUuid();
  readonly startedAt = Date.now();
  status: SessionStatus = 'ok';
  private ended = false;

  constructor(
    private readonly sink: SessionSink,
    release: string,
    environment: string | undefined,
    userId?: string,
  ) {
    sink.sendSessionStart({ sessionId: this.sessionId, release, environment, userId, startedAt: this.startedAt });
  }

  markErrored(): void {
    if (this.status === 'ok') this.status = 'errored';
  }

  markCrashed(): void {
    this.status = 'crashed';
  }

  isEnded(): boolean {
    return this.ended;
  }

  /** Ends once; an explicit status cannot downgrade a crash. */
  end(status?: SessionStatus): void {
    if (this.ended) return;
    this.ended = true;
    if (status && this.status !== 'crashed') this.status = status;
    this.sink.sendSessionEnd({
      sessionId: this.sessionId,
      durationMs: Math.max(0, Date.now() - this.startedAt),
      status: this.status,
    });
  }
}
