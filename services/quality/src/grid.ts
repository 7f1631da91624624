/**
 * Voxel grid geometry. Volumes are stored x-fastest: index = x + nx * (y + ny * z).
 * Spacing is in mm. Slices may be non-uniformly spaced (gantry/acquisition gaps), so the grid can
 * carry the z position of every slice; it then wins over spacing[2].
 */
export type Dims = readonly [nx: number, ny: number, nz: number];

export interface Grid {
  dims: Dims;
  /** mm per voxel along x, y, z. spacing[2] is used only when zPositions is absent (or one slice). */
  spacing: readonly [number, number, number];
  /** z position (mm) of each slice, strictly monotonic, length nz. */
  zPositions?: ArrayLike<number>;
}

export class GridError extends Error {
  readonly code = 'QUALITY_BAD_GRID';
}

export function voxelCount(grid: Grid): number {
  return grid.dims[0] * grid.dims[1] * grid.dims[2];
}

export function assertGrid(grid: Grid): void {
  const [nx, ny, nz] = grid.dims;
  for (const n of grid.dims) {
    if (!Number.isInteger(n) || n < 1) throw new GridError('grid dims must be positive integers');
  }
  for (const s of grid.spacing) {
    if (!(s > 0) || !Number.isFinite(s)) throw new GridError('grid spacing must be positive and finite');
  }
  if (nx * ny * nz > 2 ** 32 - 1) throw new GridError('grid has more voxels than a 32-bit run index allows');
  const zp = grid.zPositions;
  if (zp) {
    if (zp.length !== nz) throw new GridError('zPositions must have one entry per slice');
    const dir = nz > 1 ? Math.sign(zp[1]! - zp[0]!) : 1;
    for (let k = 1; k < nz; k++) {
      const d = zp[k]! - zp[k - 1]!;
      if (!(Math.sign(d) === dir && d !== 0 && Number.isFinite(d))) {
        throw new GridError('zPositions must be strictly monotonic');
      }
    }
  }
}

/** Physical coordinate (mm) of every sample along each axis, relative to the first sample. */
export function axisCoordinates(grid: Grid): [Float64Array, Float64Array, Float64Array] {
  const out: Float64Array[] = [];
  for (let a = 0; a < 2; a++) {
    const n = grid.dims[a]!;
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = i * grid.spacing[a]!;
    out.push(c);
  }
  const nz = grid.dims[2];
  const z = new Float64Array(nz);
  const zp = grid.zPositions;
  // Distances only matter relative to each other; abs() makes descending slice order work too.
  for (let k = 0; k < nz; k++) z[k] = zp ? Math.abs(zp[k]! - zp[0]!) : k * grid.spacing[2];
  return [out[0]!, out[1]!, z];
}

/**
 * Thickness (mm) each slice stands for: half the gap to each neighbour (a Voronoi cell along z),
 * the end slices mirror their only gap. One slice, or no positions: spacing[2].
 */
export function sliceThicknesses(grid: Grid): Float64Array {
  const nz = grid.dims[2];
  const t = new Float64Array(nz);
  const zp = grid.zPositions;
  if (!zp || nz === 1) return t.fill(grid.spacing[2]);
  for (let k = 0; k < nz; k++) {
    const lo = k > 0 ? Math.abs(zp[k]! - zp[k - 1]!) : Math.abs(zp[1]! - zp[0]!);
    const hi = k < nz - 1 ? Math.abs(zp[k + 1]! - zp[k]!) : Math.abs(zp[k]! - zp[k - 1]!);
    t[k] = (lo + hi) / 2;
  }
  return t;
}

/** Volume in mL of each slice's voxel (1 mL = 1000 mm³). */
export function voxelVolumesMlPerSlice(grid: Grid): Float64Array {
  const area = grid.spacing[0] * grid.spacing[1];
  const t = sliceThicknesses(grid);
  for (let k = 0; k < t.length; k++) t[k] = (t[k]! * area) / 1000;
  return t;
}
