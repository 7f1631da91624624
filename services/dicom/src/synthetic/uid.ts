import { createHash } from 'node:crypto';

/**
 * Deterministic UID under the 2.25 (UUID-derived) root: the same seed and purpose always give the same UID,
 * so tests and fixtures are reproducible, while different seeds never collide in practice.
 */
export function syntheticUid(...parts: Array<string | number>): string {
  const digest = createHash('sha256').update(parts.join('|')).digest();
  const value = BigInt(`0x${digest.subarray(0, 16).toString('hex')}`);
  return `2.25.${value.toString(10)}`;
}
