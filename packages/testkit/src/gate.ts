/** A route that holds until the test lets it go, as {@link makeGate} returns it. */
export interface Gate {
  /** Resolves once the route called `gate.onWaiting()`. */
  waiting: Promise<void>;
  /** Lets the route continue (resolves `gate.release`). */
  open(): void;
  /** The side the app gets: it calls `onWaiting()` and then awaits `release`. */
  gate: { onWaiting(): void; release: Promise<void> };
}

/**
 * A one-shot gate between a test and a route, e.g. to abort a request while its handler is
 * still running.
 * @example
 * const g = makeGate();
 * const app = await startApp({ gate: g.gate });
 * await abortAfter(app.port, '/wait', g.waiting);
 * g.open();
 */
export function makeGate(): Gate {
  let onWaiting!: () => void;
  let open!: () => void;
  const waiting = new Promise<void>((r) => (onWaiting = r));
  const release = new Promise<void>((r) => (open = r));
  return { waiting, open, gate: { onWaiting: () => onWaiting(), release } };
}
