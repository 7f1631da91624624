import { z } from 'zod';

/** PS3.5 AE title: 1-16 characters of the default repertoire, no backslash or control characters. */
export const aeTitle = z
  .string()
  .trim()
  .min(1)
  .max(16)
  .regex(/^[\x20-\x5b\x5d-\x7e]+$/, 'an AE title is printable ASCII without backslash');

export const aeRouteInput = z.strictObject({
  calledAe: aeTitle,
  /** "*" matches any calling AE title; a specific one wins over it. */
  callingAe: z.union([aeTitle, z.literal('*')]).default('*'),
  projectId: z.string().min(1).max(100).nullable().default(null),
});

export const aeRoutePatch = z
  .strictObject({
    calledAe: aeTitle,
    callingAe: z.union([aeTitle, z.literal('*')]),
    projectId: z.string().min(1).max(100).nullable(),
  })
  .partial();

export const aeRoute = z.object({
  id: z.string(),
  calledAe: z.string(),
  callingAe: z.string(),
  projectId: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const aeRouteParams = z.object({ id: z.uuid() });

export type AeRouteInput = z.infer<typeof aeRouteInput>;
export type AeRoutePatch = z.infer<typeof aeRoutePatch>;
