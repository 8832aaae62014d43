import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createObjectSlot, createRequestSlot, preseedRequestSlots } from '../src/object-slot.js';

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

describe('createRequestSlot', () => {
  async function keysSeenByHandler(): Promise<string[]> {
    const seen: string[] = [];
    const server = http.createServer((req, res) => {
      // What the request carries when the server's 'request' event fires (before any framework).
      for (const s of Object.getOwnPropertySymbols(req)) if (s.description?.startsWith('test.req')) seen.push(s.description);
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const { port } = server.address() as AddressInfo;
      await (await fetch(`http://127.0.0.1:${port}/`)).text();
    } finally {
      await new Promise((r) => server.close(r));
    }
    return seen;
  }

  it('pre-creates its key on every inbound request while a preseed is active, and stops after', async () => {
    const slot = createRequestSlot<number>('test.req.a');
    expect(await keysSeenByHandler()).toEqual([]);
    const stopA = preseedRequestSlots();
    const stopB = preseedRequestSlots();
    expect(await keysSeenByHandler()).toEqual(['test.req.a']);
    stopA();
    stopA(); // idempotent: B still holds the subscription
    expect(await keysSeenByHandler()).toEqual(['test.req.a']);
    stopB();
    expect(await keysSeenByHandler()).toEqual([]);
    // The slot itself behaves like any object slot.
    const req = {};
    expect(slot.get(req)).toBeUndefined();
    expect(slot.set(req, 3)).toBe(true);
    expect(slot.get(req)).toBe(3);
  });
});
