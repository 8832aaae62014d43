import { randomFillSync, randomUUID } from 'node:crypto';

// Ids come from a pool of random bytes refilled in one syscall: a span id then costs a few
// table lookups instead of a `randomBytes` call per id (~1 µs each on the hot path).
const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

function randomHex(bytes: number): string {
  for (;;) {
    if (offset + bytes > POOL_SIZE) {
      randomFillSync(pool);
      offset = 0;
    }
    let out = '';
    let zero = true;
    for (let i = 0; i < bytes; i++) {
      const b = pool[offset + i]!;
      if (b !== 0) zero = false;
      out += HEX[b];
    }
    offset += bytes;
    // All-zero ids are invalid in W3C trace context; the odds are 2^-64, but never emit one.
    if (!zero) return out;
  }
}

/** 32 lowercase hex characters, never all zeros. */
export function newTraceId(): string {
  return randomHex(16);
}

/** 16 lowercase hex characters, never all zeros. */
export function newSpanId(): string {
  return randomHex(8);
}

/** A random UUID v4 (request ids, session ids, event ids). */
export function newUuid(): string {
  return randomUUID();
}
