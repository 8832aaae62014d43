import { describe, expect, it } from 'vitest';
import { iso } from '../src/allstak/codec.js';

describe('iso (AllStak timestamps)', () => {
  it('matches Date#toISOString across seconds, fractions and edges', () => {
    const base = Date.UTC(2026, 10, 23, 14, 59, 59, 990);
    const samples: number[] = [0, 0.9, 1, 9, 10, 99, 100, 999, 1000, 1001.5, base, 253_402_300_799_999];
    // Interleaved seconds, so the per-second prefix cache is hit, missed and refilled.
    for (let i = 0; i < 2000; i++) samples.push(base + ((i * 7919) % 3000) + (i % 3) * 0.25, base - i);
    for (const ms of samples) expect(iso(ms)).toBe(new Date(ms).toISOString());
  });

  it('falls back to Date outside the fast range, including its errors', () => {
    for (const ms of [-1, -0.5, -86_400_001, 253_402_300_800_000, 8.64e15]) {
      expect(iso(ms)).toBe(new Date(ms).toISOString());
    }
    expect(() => iso(Number.NaN)).toThrow(RangeError);
    expect(() => iso(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});
