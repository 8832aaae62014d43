import { describe, expect, it } from 'vitest';
import { createObjectSlot } from '../src/object-slot.js';

describe('createObjectSlot', () => {
  it('keeps a value per object, private to its slot', () => {
    const a = createObjectSlot<number>('a');
    const b = createObjectSlot<number>('a'); // same description, different symbol
    const req = { url: '/x' };
    expect(a.has(req)).toBe(false);
    expect(a.set(req, 1)).toBe(true);
    expect(a.get(req)).toBe(1);
    expect(b.get(req)).toBeUndefined();
    expect(Object.keys(req)).toEqual(['url']);
    expect(JSON.stringify(req)).toBe('{"url":"/x"}');
    a.clear(req);
    expect(a.has(req)).toBe(false);
    expect(a.get({})).toBeUndefined();
  });

  it('never throws on objects that refuse properties', () => {
    const slot = createObjectSlot<string>('s');
    const frozen = Object.freeze({});
    expect(slot.set(frozen, 'v')).toBe(false);
    expect(slot.get(frozen)).toBeUndefined();
    const hostile = new Proxy(
      {},
      {
        get() {
          throw new Error('no');
        },
        set() {
          throw new Error('no');
        },
      },
    );
    expect(slot.set(hostile, 'v')).toBe(false);
    expect(slot.get(hostile)).toBeUndefined();
    expect(slot.has(hostile)).toBe(false);
    expect(() => slot.clear(hostile)).not.toThrow();
  });
});
