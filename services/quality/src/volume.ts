import type { Grid } from './grid.ts';
import { voxelVolumesMlPerSlice } from './grid.ts';
import type { LabelRle } from './label-rle.ts';

/**
 * Volume in mL of every label (index = label id, 0..255), honouring non-uniform slice spacing:
 * a run is split at slice boundaries and each part weighted by its slice's voxel volume.
 */
export function labelVolumesMl(rle: LabelRle, grid: Grid): Float64Array {
  const perSlice = voxelVolumesMlPerSlice(grid);
  const sliceSize = grid.dims[0] * grid.dims[1];
  const out = new Float64Array(256);
  let pos = 0;
  for (let r = 0; r < rle.ends.length; r++) {
    const end = rle.ends[r]!;
    const v = rle.values[r]!;
    if (v !== 0) {
      let s = pos;
      while (s < end) {
        const k = Math.floor(s / sliceSize);
        const sliceEnd = Math.min(end, (k + 1) * sliceSize);
        out[v]! += (sliceEnd - s) * perSlice[k]!;
        s = sliceEnd;
      }
    }
    pos = end;
  }
  return out;
}

export interface VolumeDifference {
  aMl: number;
  bMl: number;
  /** |a − b| in mL. */
  absMl: number;
  /** |a − b| / mean(a, b); 0 when both are empty. Symmetric, so neither annotator is the reference. */
  relative: number;
}

export function volumeDifference(aMl: number, bMl: number): VolumeDifference {
  const absMl = Math.abs(aMl - bMl);
  const mean = (aMl + bMl) / 2;
  return { aMl, bMl, absMl, relative: mean > 0 ? absMl / mean : 0 };
}
