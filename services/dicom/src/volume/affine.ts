import type { VolumeGeometry } from './types.ts';

/** A 4×4 matrix, row-major: [row][column]. */
export type Matrix4 = [number[], number[], number[], number[]];

/**
 * The voxel-to-patient affine of a checked volume in DICOM's LPS space: voxel (i, j, k) is column i,
 * row j of slice k (geometry.frames order) and lands at its position in mm (PS3.3 C.7.6.2.1.1).
 */
export function voxelToPatientLps(geometry: VolumeGeometry): Matrix4 {
  // Cosines written as DS (4–6 decimals) are not quite unit vectors: normalized, as dcm2niix and ITK do, so
  // the affine is a rotation times the spacing and the NIfTI qform can say the same as the sform.
  const unit = (v: number[]) => {
    const n = Math.hypot(...v) || 1;
    return v.map((x) => x / n);
  };
  const [rx, ry, rz] = unit(geometry.orientation.slice(0, 3)) as [number, number, number];
  const [cx, cy, cz] = unit(geometry.orientation.slice(3, 6)) as [number, number, number];
  const [rowSpacing, columnSpacing] = geometry.pixelSpacing;
  const first = geometry.frames[0]!.position;
  const last = geometry.frames.at(-1)!.position;
  const n = geometry.frames.length;
  // The slice step is measured from the positions (first to last), so it carries the stack's direction.
  let step: number[];
  if (n > 1) step = [0, 1, 2].map((a) => (last[a]! - first[a]!) / (n - 1));
  else {
    const normal = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
    const thickness = geometry.sliceThickness ?? 1;
    step = normal.map((v) => v * thickness);
  }
  return [
    [rx * columnSpacing, cx * rowSpacing, step[0]!, first[0]],
    [ry * columnSpacing, cy * rowSpacing, step[1]!, first[1]],
    [rz * columnSpacing, cz * rowSpacing, step[2]!, first[2]],
    [0, 0, 0, 1],
  ];
}

/** The same affine in NIfTI's RAS space (x and y negated). */
export function lpsToRas(m: Matrix4): Matrix4 {
  return [m[0]!.map((v) => -v), m[1]!.map((v) => -v), [...m[2]!], [...m[3]!]];
}
