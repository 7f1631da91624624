import { gzipSync } from 'node:zlib';
import { lpsToRas, type Matrix4, voxelToPatientLps } from '../volume/affine.ts';
import type { VolumeGeometry } from '../volume/types.ts';

// NIfTI-1 (single file, .nii.gz): a 348-byte header, 4 bytes of (no) extension, then the voxels, x fastest.
const HEADER_BYTES = 348;
const VOX_OFFSET = 352;
const DT_UINT8 = 2;
const DT_INT16 = 4;
const DT_FLOAT32 = 16;
const XFORM_SCANNER_ANAT = 1;
const INTENT_LABEL = 1002;
const UNITS_MM = 2;

/**
 * The voxel layout Annex writes, chosen to be dcm2niix's so a dataset mixes both without surprises:
 * x runs along the DICOM row direction (column index), y is the DICOM row index flipped (dcm2niix stores
 * the first DICOM row last), z follows the volume's slices along the normal. The affine says all of it.
 */
export function niftiAffine(geometry: VolumeGeometry): Matrix4 {
  const m = lpsToRas(voxelToPatientLps(geometry));
  const rowsMinusOne = geometry.rows - 1;
  // y' = rows-1-j: the origin moves to the last DICOM row, and the y column turns round.
  for (let r = 0; r < 3; r++) {
    m[r]![3] = m[r]![3]! + rowsMinusOne * m[r]![1]!;
    m[r]![1] = -m[r]![1]!;
  }
  return m;
}

/** NIfTI quaternion parameters of an affine (nifti1_io's mat44_to_quatern, for an orthogonal one). */
function quaternOf(m: Matrix4) {
  const col = (c: number) => [m[0]![c]!, m[1]![c]!, m[2]![c]!];
  const spacing = [0, 1, 2].map((c) => Math.hypot(...col(c)) || 1);
  const r = [0, 1, 2].map((c) => col(c).map((v) => v / spacing[c]!));
  const det =
    r[0]![0]! * (r[1]![1]! * r[2]![2]! - r[2]![1]! * r[1]![2]!) -
    r[1]![0]! * (r[0]![1]! * r[2]![2]! - r[2]![1]! * r[0]![2]!) +
    r[2]![0]! * (r[0]![1]! * r[1]![2]! - r[1]![1]! * r[0]![2]!);
  const qfac = det < 0 ? -1 : 1;
  if (qfac < 0) r[2] = r[2]!.map((v) => -v);
  // R[row][col] with columns r[c]
  const R = (row: number, c: number) => r[c]![row]!;
  let a = R(0, 0) + R(1, 1) + R(2, 2) + 1;
  let b: number;
  let c: number;
  let d: number;
  if (a > 0.5) {
    a = 0.5 * Math.sqrt(a);
    b = (0.25 * (R(2, 1) - R(1, 2))) / a;
    c = (0.25 * (R(0, 2) - R(2, 0))) / a;
    d = (0.25 * (R(1, 0) - R(0, 1))) / a;
  } else {
    const xd = 1 + R(0, 0) - (R(1, 1) + R(2, 2));
    const yd = 1 + R(1, 1) - (R(0, 0) + R(2, 2));
    const zd = 1 + R(2, 2) - (R(0, 0) + R(1, 1));
    if (xd > 1) {
      b = 0.5 * Math.sqrt(xd);
      c = (0.25 * (R(0, 1) + R(1, 0))) / b;
      d = (0.25 * (R(0, 2) + R(2, 0))) / b;
      a = (0.25 * (R(2, 1) - R(1, 2))) / b;
    } else if (yd > 1) {
      c = 0.5 * Math.sqrt(yd);
      b = (0.25 * (R(0, 1) + R(1, 0))) / c;
      d = (0.25 * (R(1, 2) + R(2, 1))) / c;
      a = (0.25 * (R(0, 2) - R(2, 0))) / c;
    } else {
      d = 0.5 * Math.sqrt(zd);
      b = (0.25 * (R(0, 2) + R(2, 0))) / d;
      c = (0.25 * (R(1, 2) + R(2, 1))) / d;
      a = (0.25 * (R(1, 0) - R(0, 1))) / d;
    }
    if (a < 0) {
      b = -b;
      c = -c;
      d = -d;
    }
  }
  return { b, c, d, qfac, spacing };
}

type Voxels = Uint8Array | Int16Array | Float32Array;

interface NiftiOptions {
  datatype: number;
  bitpix: number;
  slope?: number;
  intercept?: number;
  intent?: number;
  description: string;
  calMax?: number;
}

function header(geometry: VolumeGeometry, o: NiftiOptions): Buffer {
  const h = Buffer.alloc(VOX_OFFSET);
  const m = niftiAffine(geometry);
  const q = quaternOf(m);
  h.writeInt32LE(HEADER_BYTES, 0);
  h.write('r', 38, 'latin1'); // regular: the NIfTI-1 spec asks for it (ANALYZE heritage)
  const dim = [3, geometry.columns, geometry.rows, geometry.frames.length, 1, 1, 1, 1];
  for (const [i, v] of dim.entries()) h.writeInt16LE(v, 40 + 2 * i);
  h.writeInt16LE(o.intent ?? 0, 68);
  h.writeInt16LE(o.datatype, 70);
  h.writeInt16LE(o.bitpix, 72);
  const pixdim = [q.qfac, q.spacing[0]!, q.spacing[1]!, q.spacing[2]!, 0, 0, 0, 0];
  for (const [i, v] of pixdim.entries()) h.writeFloatLE(v, 76 + 4 * i);
  h.writeFloatLE(VOX_OFFSET, 108);
  h.writeFloatLE(o.slope ?? 1, 112);
  h.writeFloatLE(o.intercept ?? 0, 116);
  h.writeUInt8(UNITS_MM, 123);
  h.writeFloatLE(o.calMax ?? 0, 124);
  h.writeFloatLE(0, 128);
  h.write(o.description.slice(0, 79), 148, 'latin1');
  h.writeInt16LE(XFORM_SCANNER_ANAT, 252);
  h.writeInt16LE(XFORM_SCANNER_ANAT, 254);
  h.writeFloatLE(q.b, 256);
  h.writeFloatLE(q.c, 260);
  h.writeFloatLE(q.d, 264);
  h.writeFloatLE(m[0]![3]!, 268);
  h.writeFloatLE(m[1]![3]!, 272);
  h.writeFloatLE(m[2]![3]!, 276);
  for (let r = 0; r < 3; r++) for (let c = 0; c < 4; c++) h.writeFloatLE(m[r]![c]!, 280 + 16 * r + 4 * c);
  h.write('n+1\0', 344, 'latin1');
  return h;
}

/** Voxels given in volume order (column, row, slice) rewritten in the file's order (rows flipped). */
function fileOrder<T extends Voxels>(geometry: VolumeGeometry, voxels: T): T {
  const { rows, columns } = geometry;
  const plane = rows * columns;
  const slices = geometry.frames.length;
  if (voxels.length !== plane * slices)
    throw new RangeError(
      `expected ${plane * slices} voxels for ${columns}×${rows}×${slices}, got ${voxels.length}`,
    );
  const out = new (voxels.constructor as new (n: number) => T)(voxels.length);
  for (let k = 0; k < slices; k++)
    for (let j = 0; j < rows; j++) {
      const from = k * plane + j * columns;
      out.set(voxels.subarray(from, from + columns), k * plane + (rows - 1 - j) * columns);
    }
  return out;
}

function niftiGz(geometry: VolumeGeometry, voxels: Voxels, o: NiftiOptions): Buffer {
  const ordered = fileOrder(geometry, voxels);
  const body = Buffer.from(ordered.buffer, ordered.byteOffset, ordered.byteLength);
  // Level 1: label volumes are mostly zeros and compress well at any level; CPU time is what a bundle pays.
  return gzipSync(Buffer.concat([header(geometry, o), body]), { level: 1 });
}

/** A label map (.nii.gz): one uint8 value per voxel (0 background, n the nth mask label), in volume order. */
export function labelVolumeNifti(geometry: VolumeGeometry, labels: Uint8Array): Buffer {
  let max = 0;
  for (let i = 0; i < labels.length; i++) if (labels[i]! > max) max = labels[i]!;
  return niftiGz(geometry, labels, {
    datatype: DT_UINT8,
    bitpix: 8,
    intent: INTENT_LABEL,
    description: 'Annex label map',
    calMax: max,
  });
}

/**
 * The image volume (.nii.gz) beside the labels, in the same grid: int16 stored values with one rescale
 * (scl_slope/scl_inter, as dcm2niix writes CT), or float32 physical values where a series has no one rescale.
 */
export function imageVolumeNifti(
  geometry: VolumeGeometry,
  voxels: Int16Array | Float32Array,
  rescale?: { slope: number; intercept: number },
): Buffer {
  if (voxels instanceof Int16Array)
    return niftiGz(geometry, voxels, {
      datatype: DT_INT16,
      bitpix: 16,
      slope: rescale?.slope ?? 1,
      intercept: rescale?.intercept ?? 0,
      description: 'Annex image volume',
    });
  return niftiGz(geometry, voxels, { datatype: DT_FLOAT32, bitpix: 32, description: 'Annex image volume' });
}
