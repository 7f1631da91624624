import type { Writable } from 'node:stream';
import type { Instructions } from '@annex/annotation-model';
import { PROFILES } from '@annex/dicom';
import { EXPORT_PROFILE } from '../deid-views/annotator-view.ts';
import { agreementOf } from './agreement.ts';
import { type CocoPart, cocoOfParts, cocoPartOf } from './coco-export.ts';
import { burnedInSource } from './errors.ts';
import { datasetCard } from './formats/dataset-card.ts';
import { buildManifest } from './formats/manifest.ts';
import { createTarWriter } from './formats/tar-writer.ts';
import type { ExportFormat, ExportVariant } from './schemas.ts';
import type { ExportContext } from './service.ts';
import { shownInstanceBytes, taskLabelFiles } from './task-export.ts';
import { loadTaskSource, type SourceInstance, type TaskSource } from './task-source.ts';

export interface BundleSpec {
  exportId: string;
  project: { id: string; slug: string; pseudonym: string };
  taskRefs: readonly string[];
  formats: readonly ExportFormat[];
  variant: ExportVariant;
}

interface FileEntry {
  path: string;
  size: number;
  sha256: string;
}

/** Source images read ahead of the one being written (each a few MB at most: bounded memory). */
const PREFETCH = 4;

/**
 * Maps items through an async function with up to `depth` calls in flight, yielding results in item order.
 * A failure is thrown where its item's turn comes; what is still in flight then is left to settle.
 */
export async function* inOrder<T, R>(
  items: readonly T[],
  depth: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<[T, R]> {
  const started: Promise<R>[] = [];
  const start = (i: number) => {
    const p = fn(items[i]!);
    p.catch(() => {});
    started.push(p);
  };
  for (let i = 0; i < Math.min(depth, items.length); i++) start(i);
  for (let i = 0; i < items.length; i++) {
    const result = await started[i]!;
    delete started[i];
    if (i + depth < items.length) start(i + depth);
    yield [items[i]!, result];
  }
}

async function* chunksOf(chunks: readonly Uint8Array[]) {
  for (const c of chunks) yield c;
}

/** The label map of the instructions: mask labels get their NIfTI value (1-based, instruction order). */
function labelMapOf(instructions: Instructions) {
  const masks = instructions.labels.filter((l) => l.tool === 'mask');
  return Object.fromEntries(
    instructions.labels.map((l) => [
      l.id,
      {
        ...(l.tool === 'mask' ? { value: masks.indexOf(l) + 1 } : {}),
        name: l.name,
        tool: l.tool,
        color: l.color,
        ...(l.code ? { code: l.code } : {}),
      },
    ]),
  );
}

/**
 * Streams a dataset bundle into `sink` as a tar: per task its label files (and the de-identified source
 * images once per instance), then COCO over all tasks, the manifest (SHA-256 of every file) and a dataset
 * card. One task's source is in memory at a time; `progress` runs before each task and may throw to cancel.
 */
export async function writeBundle(
  ctx: ExportContext,
  spec: BundleSpec,
  sink: Writable,
  progress: (done: number, current: string | null) => Promise<void>,
): Promise<{ fileCount: number }> {
  const tar = createTarWriter(sink);
  const root = `annex-${spec.project.slug}-${spec.exportId.slice(0, 8)}/`;
  const formats = new Set(spec.formats);
  const files: FileEntry[] = [];
  const add = async (path: string, size: number, source: Uint8Array | AsyncIterable<Uint8Array>) => {
    const e = await tar.addFile(root + path, size, source);
    const entry = { path, size: e.size, sha256: e.sha256 };
    files.push(entry);
    return entry;
  };
  const writtenInstances = new Set<string>();
  const cocoParts: CocoPart[] = [];
  const tasks = [];
  let instructions: Instructions | undefined;
  const versions = new Set<number>();

  for (const [index, taskId] of spec.taskRefs.entries()) {
    await progress(index, null);
    const source: TaskSource = await loadTaskSource(ctx, taskId, spec.variant);
    await progress(index, source.cloudId);
    instructions = source.instructions;
    versions.add(source.instructionsVersion);
    const taskFiles: FileEntry[] = [];
    for (const f of (await taskLabelFiles(ctx, source, spec.formats)).files)
      taskFiles.push(await add(f.path, f.bytes.length, f.bytes));
    if (formats.has('coco') || formats.has('coco-png')) {
      const { part, pngs } = await cocoPartOf(ctx, source, formats.has('coco-png'));
      cocoParts.push(part);
      for (const p of pngs) {
        if (writtenInstances.has(p.path)) continue;
        writtenInstances.add(p.path);
        await add(p.path, p.bytes.length, p.bytes);
      }
    }
    if (formats.has('dicom')) {
      const view = ctx.view.forProject(source.projectRef);
      const pending: { path: string; instance: SourceInstance }[] = [];
      for (const series of source.series)
        for (const instance of series.instances) {
          const path = `dicom/${source.study.uid}/${series.uid}/${instance.uid}.dcm`;
          if (writtenInstances.has(path)) continue;
          // Refused before any of its images is fetched: an image with burned-in text is never exported.
          if (view.instanceRefusal(instance.original, instance.transferSyntaxUid).length > 0)
            throw burnedInSource(instance.deidUid);
          pending.push({ path, instance });
        }
      // The next few images are read and de-identified while the current one is written.
      const shown = inOrder(pending, PREFETCH, ({ instance }) => shownInstanceBytes(ctx, source, instance));
      for await (const [{ path }, { chunks, length }] of shown) {
        await add(path, length, chunksOf(chunks));
        writtenInstances.add(path);
      }
    }
    const annotators =
      source.quality?.annotators ?? (source.labelSet.annotator ? [source.labelSet.annotator] : []);
    tasks.push({
      task: source.cloudId,
      consensusMethod: source.labelSet.method,
      annotators: annotators.map((a) => ctx.ids.user(a)),
      agreement: source.quality ? agreementOf(source.quality.summary, source.instructions) : {},
      files: taskFiles,
    });
  }
  await progress(spec.taskRefs.length, null);

  if (cocoParts.length > 0) {
    const json = new TextEncoder().encode(JSON.stringify(cocoOfParts(cocoParts).coco));
    await add('coco/annotations.json', json.length, json);
  }
  const manifest = buildManifest({
    datasetId: spec.exportId,
    createdAt: new Date().toISOString(),
    project: { pseudonym: spec.project.pseudonym, slug: spec.project.slug },
    instructionsVersions: [...versions].sort((a, b) => a - b),
    labelMap: instructions ? labelMapOf(instructions) : {},
    formats: [...spec.formats],
    deidentification:
      spec.variant === 'identified'
        ? { profile: 'none (identified export: original UIDs, for the PACS)', options: [] }
        : exportDeidentification(),
    tasks,
    files,
  });
  const manifestBytes = new TextEncoder().encode(`${JSON.stringify(manifest, null, 2)}\n`);
  const card = new TextEncoder().encode(datasetCard(manifest));
  await tar.addFile(`${root}manifest.json`, manifestBytes.length, manifestBytes);
  await tar.addFile(`${root}README.md`, card.length, card);
  await tar.finish();
  return { fileCount: files.length + 2 };
}

// PS3.15 Table E.1-1's names of the options the export profile turns on.
const OPTION_NAMES: Record<string, string> = {
  retainSafePrivate: 'Retain Safe Private Option',
  retainUids: 'Retain UIDs Option',
  retainDeviceIdentity: 'Retain Device Identity Option',
  retainInstitutionIdentity: 'Retain Institution Identity Option',
  retainPatientCharacteristics: 'Retain Patient Characteristics Option',
  retainLongitudinalFullDates: 'Retain Longitudinal Temporal Information with Full Dates Option',
  retainLongitudinalModifiedDates: 'Retain Longitudinal Temporal Information with Modified Dates Option',
  cleanDescriptors: 'Clean Descriptors Option',
  cleanStructuredContent: 'Clean Structured Content Option',
  cleanGraphics: 'Clean Graphics Option',
};

/** What the manifest says of the de-identification: read from the profile the export applies, not restated. */
function exportDeidentification() {
  const profile = PROFILES[EXPORT_PROFILE]!;
  const options = Object.entries(profile.options)
    .filter(([key, on]) => on === true && OPTION_NAMES[key])
    .map(([key]) => OPTION_NAMES[key]!);
  return { profile: `PS3.15 Basic Application Level Confidentiality Profile (Annex ${profile.id})`, options };
}
