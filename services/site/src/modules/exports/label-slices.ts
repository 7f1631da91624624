import type { AnnotationDoc, LabelDef } from '@annex/annotation-model';
import type { VolumeGeometry } from '@annex/dicom';
import { labelsDoNotFit } from './errors.ts';

/** One mask label as 0/1 frames by slice index of its volume; only slices with a pixel set are kept. */
export interface LabelSlices {
  label: LabelDef;
  /** 1-based position among the instructions' mask labels: the NIfTI label value and the manifest's label map. */
  value: number;
  slices: Map<number, Uint8Array>;
  /** Pixels set over all slices. */
  voxels: number;
}

/** Decodes Annex mask runs (row-major, zeros first) into a 0/1 frame; refuses runs that overflow it. */
export function decodeMaskRuns(runs: readonly number[], pixels: number, where: string): Uint8Array {
  const out = new Uint8Array(pixels);
  let pos = 0;
  for (let k = 0; k < runs.length; k++) {
    const n = runs[k]!;
    if (pos + n > pixels) throw labelsDoNotFit(`a mask frame has more pixels than its image (${where})`);
    if (k % 2 === 1) out.fill(1, pos, pos + n);
    pos += n;
  }
  return out;
}

/**
 * The task's mask labels on one series volume, in instruction order. `sliceOf` maps the label set's image
 * reference (the de-identified "<sop>/<frame>" the annotator painted on) to the volume's slice index.
 * A mask on an image outside the volume or of another size is refused, never dropped or resampled.
 */
export function labelSlicesOf(
  doc: AnnotationDoc,
  labels: readonly LabelDef[],
  seriesDeidUid: string,
  geometry: VolumeGeometry,
  sliceOf: ReadonlyMap<string, number>,
): LabelSlices[] {
  const out: LabelSlices[] = [];
  const pixels = geometry.rows * geometry.columns;
  for (const [index, label] of labels.filter((l) => l.tool === 'mask').entries()) {
    const slices = new Map<number, Uint8Array>();
    let voxels = 0;
    for (const mask of doc.masks.filter((m) => m.labelId === label.id)) {
      for (const slice of mask.slices) {
        if (slice.image.seriesUid !== seriesDeidUid) continue;
        const key = `${slice.image.sopInstanceUid}/${slice.image.frame}`;
        const k = sliceOf.get(key);
        if (k === undefined)
          throw labelsDoNotFit(
            `label "${label.id}" is painted on an image or frame the series does not have`,
            slice.image.sopInstanceUid,
          );
        if (mask.rows !== geometry.rows || mask.columns !== geometry.columns)
          throw labelsDoNotFit(
            `label "${label.id}" is ${mask.columns}×${mask.rows} but its images are ${geometry.columns}×${geometry.rows}`,
            slice.image.sopInstanceUid,
          );
        const frame = decodeMaskRuns(slice.runs, pixels, slice.image.sopInstanceUid);
        const existing = slices.get(k);
        let set = 0;
        if (existing) {
          for (let i = 0; i < pixels; i++) {
            if (frame[i] && !existing[i]) {
              existing[i] = 1;
              set++;
            }
          }
        } else {
          for (let i = 0; i < pixels; i++) set += frame[i]!;
          if (set > 0) slices.set(k, frame);
        }
        voxels += set;
      }
    }
    if (voxels > 0) out.push({ label, value: index + 1, slices, voxels });
  }
  return out;
}

/** One label value per voxel (column fastest, then row, then slice); where labels overlap the later one wins. */
export function labelVolume(geometry: VolumeGeometry, labels: readonly LabelSlices[]): Uint8Array {
  const plane = geometry.rows * geometry.columns;
  const volume = new Uint8Array(plane * geometry.frames.length);
  for (const l of labels) {
    for (const [k, frame] of l.slices) {
      const base = k * plane;
      for (let i = 0; i < plane; i++) if (frame[i]) volume[base + i] = l.value;
    }
  }
  return volume;
}
