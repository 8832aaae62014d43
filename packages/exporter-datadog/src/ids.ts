/** Conversions between Sightline's hex ids and Datadog's decimal uint64 ids. */

const HEX16 = /^[0-9a-f]{16}$/;
const DECIMAL = /^[0-9]{1,20}$/;
const MAX_U64 = (1n << 64n) - 1n;
export const ZERO16 = '0000000000000000';

/** A 16-hex-char id as its unsigned decimal string (Datadog's header and JSON form). */
export function hexToDecimal(hex16: string): string {
  return BigInt(`0x${hex16}`).toString(10);
}

/** The low 64 bits of a 32-hex-char trace id, in decimal. */
export function traceIdLowDecimal(traceId: string): string {
  return hexToDecimal(traceId.slice(-16));
}

/** A decimal uint64 (1..2^64-1) as 16 lowercase hex chars, or undefined if it is not one. */
export function decimalToHex16(dec: string): string | undefined {
  if (!DECIMAL.test(dec)) return undefined;
  const n = BigInt(dec);
  if (n === 0n || n > MAX_U64) return undefined;
  return n.toString(16).padStart(16, '0');
}

export function isHex16(v: string): boolean {
  return HEX16.test(v);
}
