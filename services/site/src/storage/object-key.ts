import { randomUUID } from 'node:crypto';

export const INSTANCE_PREFIX = 'instances/';

/** A random key, fanned out by its first byte; it says nothing about the patient or the study. */
export function newInstanceKey(): string {
  const id = randomUUID();
  return `${INSTANCE_PREFIX}${id.slice(0, 2)}/${id}.dcm`;
}
