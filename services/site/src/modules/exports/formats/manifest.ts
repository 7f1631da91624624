import { createHash } from 'node:crypto';
import { codedConceptSchema, LABEL_TOOLS } from '@annex/annotation-model';
import { z } from 'zod';

// manifest.json of a dataset bundle: what it holds, under which instructions and de-identification, and the
// SHA-256 of every file so a recipient can check the copy. Only pseudonyms, slugs and numbers: no DICOM text.

export const MANIFEST_SCHEMA_VERSION = 1;

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/);
/** A path relative to the bundle root; never absolute, never climbing out. */
const bundlePath = z
  .string()
  .min(1)
  .max(1000)
  .refine((p) => !p.startsWith('/') && !p.split('/').some((s) => s === '..' || s === ''), 'a relative path');

export const manifestFileSchema = z.strictObject({
  path: bundlePath,
  size: z.number().int().nonnegative(),
  sha256: sha256Hex,
});
export type ManifestFile = z.infer<typeof manifestFileSchema>;

export const manifestLabelSchema = z.strictObject({
  /** The label's voxel value in label volumes (NIfTI) and segment number in SEG; masks only. */
  value: z.number().int().positive().optional(),
  name: z.string().min(1).max(200),
  tool: z.enum(LABEL_TOOLS),
  code: codedConceptSchema.optional(),
  color: z.string().regex(/^#[0-9a-fA-F]{6}$/),
});

export const manifestTaskSchema = z.strictObject({
  task: z.string().min(1).max(100),
  consensusMethod: z.string().min(1).max(40),
  annotators: z.array(z.string().min(1).max(100)),
  /** Label id (or 'task') → metric → value, e.g. { lesion: { dice: 0.91 } }. */
  agreement: z.record(z.string().max(100), z.record(z.string().max(100), z.number().finite())),
  files: z.array(manifestFileSchema),
});

export const manifestSchema = z
  .strictObject({
    schemaVersion: z.literal(MANIFEST_SCHEMA_VERSION),
    datasetId: z.string().min(1).max(100),
    createdAt: z.iso.datetime({ offset: true }),
    project: z.strictObject({ pseudonym: z.string().min(1).max(100), slug: z.string().min(1).max(100) }),
    instructionsVersions: z.array(z.number().int().nonnegative()),
    labelMap: z.record(z.string(), manifestLabelSchema),
    formats: z.array(z.string().min(1).max(40)),
    deidentification: z.strictObject({
      profile: z.string().min(1).max(200),
      options: z.array(z.string().min(1).max(200)),
    }),
    tasks: z.array(manifestTaskSchema),
    files: z.array(manifestFileSchema),
  })
  .superRefine((m, ctx) => {
    const byPath = new Map<string, ManifestFile>();
    for (const [i, f] of m.files.entries()) {
      if (byPath.has(f.path))
        ctx.addIssue({ code: 'custom', path: ['files', i, 'path'], message: 'listed twice' });
      byPath.set(f.path, f);
    }
    for (const [t, task] of m.tasks.entries())
      for (const [i, f] of task.files.entries()) {
        const listed = byPath.get(f.path);
        if (!listed || listed.sha256 !== f.sha256 || listed.size !== f.size)
          ctx.addIssue({
            code: 'custom',
            path: ['tasks', t, 'files', i],
            message: 'not in the bundle file list as given',
          });
      }
  });
export type Manifest = z.infer<typeof manifestSchema>;
export type ManifestInput = Omit<Manifest, 'schemaVersion'>;

/** Validates and completes a manifest; throws the zod error when a field is wrong (a bug of the caller). */
export function buildManifest(input: ManifestInput): Manifest {
  return manifestSchema.parse({ schemaVersion: MANIFEST_SCHEMA_VERSION, ...input });
}

export interface ManifestMismatch {
  path: string;
  problem: 'missing' | 'size' | 'sha256';
  expected: string;
  actual: string | null;
}

/**
 * Checks every listed file against its size and SHA-256, reading each through `readFile` (which may
 * throw or reject for a missing file). Returns the mismatches, none when the copy is intact.
 */
export async function verifyManifest(
  manifest: Pick<Manifest, 'files'>,
  readFile: (path: string) => Promise<Uint8Array>,
): Promise<ManifestMismatch[]> {
  const out: ManifestMismatch[] = [];
  for (const f of manifest.files) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(f.path);
    } catch {
      out.push({ path: f.path, problem: 'missing', expected: `${f.size} bytes`, actual: null });
      continue;
    }
    if (bytes.length !== f.size) {
      out.push({ path: f.path, problem: 'size', expected: String(f.size), actual: String(bytes.length) });
      continue;
    }
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (sha !== f.sha256) out.push({ path: f.path, problem: 'sha256', expected: f.sha256, actual: sha });
  }
  return out;
}
