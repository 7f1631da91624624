import type { AnnotationDoc, Instructions } from '@annex/annotation-model';
import { decodeFrameSync, parseInstance, renderFrame } from '@annex/dicom';
import { toCoco } from './formats/coco.ts';
import type { ExportContext } from './service.ts';
import { type ExportFile, shownInstanceBytes } from './task-export.ts';
import type { SourceInstance, TaskSource } from './task-source.ts';

const COCO_KINDS = new Set(['bbox', 'polygon', 'freehand']);

export interface CocoImage {
  sopInstanceUid: string;
  frame: number;
  rows: number;
  columns: number;
  fileName?: string;
}

/** What COCO needs of one task, kept while the bundle goes on (not the task's whole source). */
export interface CocoPart {
  task: string;
  doc: AnnotationDoc;
  instructions: Instructions;
  images: CocoImage[];
}

/**
 * One task's COCO image entries: every frame that carries a box, polygon or mask, named by de-identified
 * UIDs, or pointing at a PNG rendering of the frame (returned, to be written beside annotations.json).
 */
export async function cocoPartOf(
  ctx: ExportContext,
  source: TaskSource,
  png: boolean,
): Promise<{ part: CocoPart; pngs: ExportFile[] }> {
  const byUid = new Map(source.series.flatMap((s) => s.instances.map((i) => [i.deidUid, i] as const)));
  const frames = new Map<string, { instance: SourceInstance; frame: number }>();
  const add = (uid: string, frame: number) => {
    const instance = byUid.get(uid);
    if (instance) frames.set(`${uid}/${frame}`, { instance, frame });
  };
  const { doc } = source.labelSet;
  for (const s of doc.shapes) if (COCO_KINDS.has(s.kind)) add(s.image.sopInstanceUid, s.image.frame);
  for (const m of doc.masks) for (const sl of m.slices) add(sl.image.sopInstanceUid, sl.image.frame);

  const pngs: ExportFile[] = [];
  const images: CocoImage[] = [];
  for (const [key, { instance, frame }] of frames) {
    const fileName = png ? `images/${key.replace('/', '_')}.png` : undefined;
    if (fileName) {
      const { chunks } = await shownInstanceBytes(ctx, source, instance);
      const parsed = parseInstance(Buffer.concat(chunks));
      pngs.push({
        path: `coco/${fileName}`,
        bytes: renderFrame(decodeFrameSync(parsed, frame - 1)),
        contentType: 'image/png',
      });
    }
    images.push({
      sopInstanceUid: instance.deidUid,
      frame,
      rows: instance.rows,
      columns: instance.columns,
      ...(fileName ? { fileName } : {}),
    });
  }
  return { part: { task: source.cloudId, doc, instructions: source.instructions, images }, pngs };
}

/** COCO over the parts of many tasks; categories from the newest instructions (label ids never change meaning). */
export function cocoOfParts(parts: readonly CocoPart[]) {
  const seen = new Set<string>();
  const images = parts.flatMap((p) =>
    p.images.filter((i) => {
      const key = `${i.sopInstanceUid}/${i.frame}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    }),
  );
  return toCoco({
    instructions: parts.at(-1)!.instructions,
    images,
    labelSets: parts.map((p) => ({ task: p.task, doc: p.doc })),
  });
}
