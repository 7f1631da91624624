import type { VolumeFrame, VolumeGeometry } from './types.ts';

/** An indexed instance as the volume builder reads it: its UIDs, frame count and DICOM JSON metadata. */
export interface VolumeSourceInstance {
  sopInstanceUid: string;
  sopClassUid: string;
  numberOfFrames: number;
  metadata: Record<string, { vr?: string; Value?: unknown[] } | undefined>;
}

export type VolumeGeometryErrorCode =
  | 'GEOMETRY_MISSING'
  | 'MIXED_ORIENTATION'
  | 'MIXED_SIZE'
  | 'MIXED_FRAME_OF_REFERENCE'
  | 'DUPLICATE_SLICE'
  | 'MISSING_SLICE'
  | 'NOT_STACKED';

/** A series that is not one regular voxel grid; names the first image (and frame) that breaks it. */
export class VolumeGeometryError extends Error {
  constructor(
    readonly code: VolumeGeometryErrorCode,
    message: string,
    readonly sopInstanceUid?: string,
    readonly frameNumber?: number,
  ) {
    super(message);
    this.name = 'VolumeGeometryError';
  }
}

type Json = VolumeSourceInstance['metadata'];
type Item = Json | undefined;

const numbers = (ds: Item, tag: string): number[] => (ds?.[tag]?.Value ?? []).map(Number);
const string = (ds: Item, tag: string): string | undefined => {
  const v = ds?.[tag]?.Value?.[0];
  return v === undefined || v === null ? undefined : String(v);
};
const item = (ds: Item, tag: string, index = 0): Item => ds?.[tag]?.Value?.[index] as Item;

/** A frame attribute from the top level, else its per-frame functional group, else the shared one. */
function frameValue(metadata: Json, frame: number, macro: string, tag: string): number[] {
  const top = numbers(metadata, tag);
  if (top.length > 0) return top;
  for (const group of [item(metadata, '52009230', frame - 1), item(metadata, '52009229')]) {
    const v = numbers(item(group, macro), tag);
    if (v.length > 0) return v;
  }
  return [];
}

// Direction cosines agree to 1e-4 (a DS written with 4–6 decimals), positions to a hundredth of a mm.
const COSINE_TOLERANCE = 1e-4;
const PLANE_TOLERANCE_MM = 0.01;
// Consecutive slice gaps may differ by 1% (scanner rounding of positions) before a gap is called missing.
const SPACING_TOLERANCE = 0.01;

const dot = (a: readonly number[], b: readonly number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
const cross = (a: readonly number[], b: readonly number[]) => [
  a[1]! * b[2]! - a[2]! * b[1]!,
  a[2]! * b[0]! - a[0]! * b[2]!,
  a[0]! * b[1]! - a[1]! * b[0]!,
];

interface RawFrame extends VolumeFrame {
  orientation: number[];
  rows: number;
  columns: number;
  spacing: number[];
  thickness?: number;
  frameOfReference?: string;
}

/**
 * Checks that a series (single-frame images, or enhanced multi-frame ones with functional groups) forms
 * one regular voxel grid, and gives it in slice order: increasing along the normal row × column, so that
 * voxel (i, j, k) is column i, row j of frame k and the grid is right-handed in patient space. Anything
 * else (mixed orientation, size or frame of reference, a duplicate or missing slice, a tilted stack) is
 * refused with a stable code rather than resampled: labels must map back to the exact pixels painted.
 */
export function seriesVolume(instances: readonly VolumeSourceInstance[]): VolumeGeometry {
  if (instances.length === 0) throw new VolumeGeometryError('GEOMETRY_MISSING', 'the series has no images');
  const frames: RawFrame[] = [];
  for (const instance of instances) {
    const m = instance.metadata;
    const count = Math.max(1, instance.numberOfFrames);
    const rows = numbers(m, '00280010')[0];
    const columns = numbers(m, '00280011')[0];
    for (let f = 1; f <= count; f++) {
      const orientation = frameValue(m, f, '00209116', '00200037');
      const position = frameValue(m, f, '00209113', '00200032');
      const spacing = frameValue(m, f, '00289110', '00280030');
      const thickness = frameValue(m, f, '00289110', '00180050')[0];
      const where = count > 1 ? ` (frame ${f})` : '';
      if (orientation.length !== 6 || position.length !== 3 || spacing.length !== 2 || !rows || !columns)
        throw new VolumeGeometryError(
          'GEOMETRY_MISSING',
          `an image${where} lacks its orientation, position, pixel spacing or size`,
          instance.sopInstanceUid,
          count > 1 ? f : undefined,
        );
      if (![...orientation, ...position, ...spacing].every(Number.isFinite) || spacing.some((s) => s <= 0))
        throw new VolumeGeometryError(
          'GEOMETRY_MISSING',
          `an image${where} has an unreadable orientation, position or pixel spacing`,
          instance.sopInstanceUid,
          count > 1 ? f : undefined,
        );
      frames.push({
        sopInstanceUid: instance.sopInstanceUid,
        sopClassUid: instance.sopClassUid,
        frameNumber: f,
        position: position as [number, number, number],
        orientation,
        rows,
        columns,
        spacing,
        ...(thickness !== undefined && Number.isFinite(thickness) ? { thickness } : {}),
        frameOfReference: string(m, '00200052'),
      });
    }
  }
  const first = frames[0]!;
  const refuse = (code: VolumeGeometryErrorCode, message: string, frame: RawFrame): never => {
    const multi = instances.find((i) => i.sopInstanceUid === frame.sopInstanceUid)!.numberOfFrames > 1;
    throw new VolumeGeometryError(code, message, frame.sopInstanceUid, multi ? frame.frameNumber : undefined);
  };
  for (const f of frames) {
    if (f.orientation.some((v, i) => Math.abs(v - first.orientation[i]!) > COSINE_TOLERANCE))
      refuse('MIXED_ORIENTATION', 'its images do not share one orientation', f);
    if (f.rows !== first.rows || f.columns !== first.columns)
      refuse('MIXED_SIZE', `its images are not all ${first.columns}×${first.rows}`, f);
    if (f.spacing.some((v, i) => Math.abs(v - first.spacing[i]!) > 1e-4))
      refuse('MIXED_SIZE', 'its images do not share one pixel spacing', f);
    if (f.frameOfReference !== first.frameOfReference)
      refuse('MIXED_FRAME_OF_REFERENCE', 'its images are not in one frame of reference', f);
  }
  const row = first.orientation.slice(0, 3);
  const column = first.orientation.slice(3, 6);
  const normal = cross(row, column);
  if (Math.abs(Math.hypot(...normal) - 1) > 1e-3 || Math.abs(dot(row, column)) > 1e-3)
    refuse('GEOMETRY_MISSING', 'its orientation is not two perpendicular unit vectors', first);

  const ordered = frames
    .map((f) => ({ f, d: dot(f.position, normal) }))
    .sort((a, b) => a.d - b.d || a.f.sopInstanceUid.localeCompare(b.f.sopInstanceUid));
  const gaps: number[] = [];
  for (let k = 1; k < ordered.length; k++) {
    const prev = ordered[k - 1]!;
    const cur = ordered[k]!;
    const gap = cur.d - prev.d;
    if (gap < PLANE_TOLERANCE_MM) refuse('DUPLICATE_SLICE', 'two images lie in the same plane', cur.f);
    // The in-plane offset between consecutive slices must vanish: a stack, not a tilted or shifted one.
    const delta = [0, 1, 2].map((i) => cur.f.position[i]! - prev.f.position[i]!);
    if (
      Math.abs(dot(delta, row)) > PLANE_TOLERANCE_MM * 10 ||
      Math.abs(dot(delta, column)) > PLANE_TOLERANCE_MM * 10
    )
      refuse('NOT_STACKED', 'its slices are shifted in plane (a tilted gantry or stitched series)', cur.f);
    gaps.push(gap);
  }
  let sliceSpacing = 0;
  if (gaps.length > 0) {
    const sorted = [...gaps].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    gaps.forEach((gap, k) => {
      if (Math.abs(gap - median) > Math.max(SPACING_TOLERANCE * median, PLANE_TOLERANCE_MM))
        refuse(
          'MISSING_SLICE',
          `slices are not evenly spaced: ${gap.toFixed(3)} mm where the series steps ${median.toFixed(3)} mm`,
          ordered[k + 1]!.f,
        );
    });
    sliceSpacing = (ordered.at(-1)!.d - ordered[0]!.d) / gaps.length;
  }
  const firstInstance = instances[0]!.metadata;
  return {
    studyInstanceUid: string(firstInstance, '0020000D') ?? string(firstInstance, '0020000d') ?? '',
    seriesInstanceUid: string(firstInstance, '0020000E') ?? string(firstInstance, '0020000e') ?? '',
    frameOfReferenceUid: first.frameOfReference ?? '',
    rows: first.rows,
    columns: first.columns,
    orientation: first.orientation as VolumeGeometry['orientation'],
    pixelSpacing: [first.spacing[0]!, first.spacing[1]!],
    sliceSpacing,
    ...(first.thickness !== undefined ? { sliceThickness: first.thickness } : {}),
    frames: ordered.map(({ f }) => ({
      sopInstanceUid: f.sopInstanceUid,
      sopClassUid: f.sopClassUid,
      frameNumber: f.frameNumber,
      position: f.position,
    })),
  };
}
