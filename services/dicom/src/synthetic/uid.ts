import { createHash } from 'node:crypto';

const LOW = 10n ** 38n;
const SPAN = 9n * LOW;

/**
 * Deterministic UID under the 2.25 (UUID-derived) root: the same seed and purpose always give the same UID,
 * different seeds never collide in practice. Always 44 characters (a 39-digit number), so per-slice UIDs can
 * be patched into a header template of fixed layout.
 */
export function syntheticUid(...parts: Array<string | number>): string {
  const digest = createHash('sha256').update(parts.join('|')).digest();
  const value = LOW + (BigInt(`0x${digest.subarray(0, 16).toString('hex')}`) % SPAN);
  return `2.25.${value.toString(10)}`;
}
