/** Lets a test hold a request inside its handler until it chooses to release it. */
interface Gate {
  arrived: Promise<void>;
  signalArrived(): void;
  released: Promise<void>;
  release(): void;
}

const gates = new Map<string, Gate>();

function gate(key: string): Gate {
  let g = gates.get(key);
  if (!g) {
    let signalArrived!: () => void;
    let release!: () => void;
    const arrived = new Promise<void>((r) => {
      signalArrived = r;
    });
    const released = new Promise<void>((r) => {
      release = r;
    });
    g = { arrived, signalArrived, released, release };
    gates.set(key, g);
  }
  return g;
}

/** Server side: announce arrival, then wait for the test. */
export function waitAtGate(key: string): Promise<void> {
  const g = gate(key);
  g.signalArrived();
  return g.released;
}

/** Test side: resolves once the handler is waiting at `key`. */
export function arrivedAt(key: string): Promise<void> {
  return gate(key).arrived;
}

/** Test side: lets the handler waiting at `key` go on. */
export function releaseGate(key: string): void {
  gate(key).release();
  gates.delete(key);
}
