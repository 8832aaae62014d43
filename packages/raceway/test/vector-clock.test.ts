import { describe, expect, it } from 'vitest';
import { ClockDomain, fullClock, snapshotPairs } from '../src/clock-domain.js';
import {
  MAX_CLOCK_COMPONENTS,
  type VectorClock,
  clockFromPairs,
  clockLeq,
  clockToPairs,
  compareClocks,
  joinClocks,
} from '../src/vector-clock.js';

const vc = (o: Record<string, number>): VectorClock => new Map(Object.entries(o));

describe('vector clocks', () => {
  it('join is the component-wise maximum and returns the left clock when nothing is added', () => {
    const a = vc({ x: 2, y: 1 });
    expect([...joinClocks(a, vc({ y: 3, z: 1 }))]).toEqual([
      ['x', 2],
      ['y', 3],
      ['z', 1],
    ]);
    expect(joinClocks(a, vc({ x: 1 }))).toBe(a);
    expect(a.get('y')).toBe(1);
  });

  it('orders clocks: before, after, equal, concurrent (missing components are 0)', () => {
    expect(compareClocks(vc({ a: 1 }), vc({ a: 2 }))).toBe('before');
    expect(compareClocks(vc({ a: 1, b: 1 }), vc({ a: 1 }))).toBe('after');
    expect(compareClocks(vc({ a: 1 }), vc({ a: 1, b: 0 }))).toBe('equal');
    expect(compareClocks(vc({ a: 2, b: 1 }), vc({ a: 1, b: 2 }))).toBe('concurrent');
    expect(compareClocks(vc({ a: 1 }), vc({ b: 1 }))).toBe('concurrent');
    expect(clockLeq(vc({}), vc({ a: 1 }))).toBe(true);
  });

  it('reads only well-formed pairs from untrusted JSON, keeping the largest counter of a repeat', () => {
    const c = clockFromPairs([
      ['a', 1],
      ['a', 3],
      ['a', 2],
      ['b', -1],
      ['c', 1.5],
      ['', 1],
      [1, 1],
      ['d'],
      'e',
      ['f', Number.MAX_SAFE_INTEGER + 2],
      ['x'.repeat(257), 1],
      ['g', 0],
    ]);
    expect([...c]).toEqual([
      ['a', 3],
      ['g', 0],
    ]);
    expect(clockFromPairs('nope').size).toBe(0);
    expect(clockFromPairs(Array.from({ length: 5000 }, (_, i) => [`c${i}`, 1])).size).toBe(
      MAX_CLOCK_COMPONENTS,
    );
    expect(clockToPairs(c)).toEqual([['a', 3]]);
  });
});

describe('clock domain (one service instance)', () => {
  const domain = () => new ClockDomain('svc#i/', 4, 2);

  it('gives each live context its own component and advances it per event', () => {
    const d = domain();
    const a = d.open(undefined)!;
    const b = d.open(undefined)!;
    expect(a.component).toBe('svc#i/0');
    expect(b.component).toBe('svc#i/1');
    const a1 = d.tick(a);
    const b1 = d.tick(b);
    expect(snapshotPairs(a1)).toEqual([['svc#i/0', 1]]);
    expect(snapshotPairs(d.tick(a))).toEqual([['svc#i/0', 2]]);
    // Two live contexts with no synchronization: concurrent.
    expect(compareClocks(clockFromPairs(snapshotPairs(a1)), clockFromPairs(snapshotPairs(b1)))).toBe(
      'concurrent',
    );
  });

  it('a context that ended happens-before every later event of every context', () => {
    const d = domain();
    const a = d.open(undefined)!;
    const b = d.open(undefined)!;
    const aWrite = snapshotPairs(d.tick(a));
    const bBefore = snapshotPairs(d.tick(b));
    d.end(a);
    const bAfter = snapshotPairs(d.tick(b));
    const c = d.open(undefined)!;
    const cFirst = snapshotPairs(d.tick(c));
    const w = clockFromPairs(aWrite);
    expect(compareClocks(w, clockFromPairs(bBefore))).toBe('concurrent');
    expect(compareClocks(w, clockFromPairs(bAfter))).toBe('before');
    expect(compareClocks(w, clockFromPairs(cFirst))).toBe('before');
  });

  it('recycles slots: the next owner continues the counter, so the slot stays one chain', () => {
    const d = domain();
    const a = d.open(undefined)!;
    d.tick(a);
    const aLast = snapshotPairs(d.tick(a));
    d.end(a);
    const b = d.open(undefined)!;
    expect(b.component).toBe(a.component);
    const bFirst = snapshotPairs(d.tick(b));
    expect(bFirst[0]).toEqual(['svc#i/0', 3]);
    expect(compareClocks(clockFromPairs(aLast), clockFromPairs(bFirst))).toBe('before');
  });

  it('bounds live contexts', () => {
    const d = domain();
    const cells = [1, 2, 3, 4].map(() => d.open(undefined));
    expect(cells.every(Boolean)).toBe(true);
    expect(d.open(undefined)).toBeUndefined();
    d.end(cells[0]!);
    expect(d.open(undefined)).toBeDefined();
  });

  it('a lock release happens-before the next acquire; unrelated contexts stay concurrent', () => {
    const d = domain();
    const a = d.open(undefined)!;
    const b = d.open(undefined)!;
    const c = d.open(undefined)!;
    const inA = clockFromPairs(snapshotPairs(d.tick(a)));
    d.tick(a);
    d.release(a, 'L');
    d.acquire(b, 'L');
    const inB = clockFromPairs(snapshotPairs(d.tick(b)));
    const inC = clockFromPairs(snapshotPairs(d.tick(c)));
    expect(compareClocks(inA, inB)).toBe('before');
    expect(compareClocks(inA, inC)).toBe('concurrent');
  });

  it('remembers at most maxLocks lock clocks, forgetting the least recently released', () => {
    const d = domain();
    const a = d.open(undefined)!;
    const b = d.open(undefined)!;
    d.tick(a);
    d.release(a, 'L1');
    d.release(a, 'L2');
    d.release(a, 'L3');
    expect(d.locksEvicted).toBe(1);
    d.acquire(b, 'L1');
    expect(fullClock(b).get(a.component)).toBeUndefined();
    d.acquire(b, 'L3');
    expect(fullClock(b).get(a.component)).toBe(1);
  });

  it('joins an inbound clock when a context opens', () => {
    const d = domain();
    const a = d.open(vc({ 'up#1/0': 7 }))!;
    expect(snapshotPairs(d.tick(a))).toEqual([
      ['svc#i/0', 1],
      ['up#1/0', 7],
    ]);
  });
});
