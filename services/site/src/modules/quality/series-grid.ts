import type { Grid } from '@annex/quality';

/** One image of a series as the quality job sees it: de-identified UIDs and geometry from the index. */
export interface GridImage {
  seriesUid: string;
  sopInstanceUid: string;
  frames: number;
  rows: number;
  columns: number;
  /** ImagePositionPatient, ImageOrientationPatient, PixelSpacing (row, column) when present. */
  position?: number[];
  orientation?: number[];
  pixelSpacing?: number[];
}

/** A series as a voxel grid: slice k is the image frame `slices[k]` ("<sop>/<frame>"). */
export interface SeriesGrid {
  seriesUid: string;
  grid: Grid;
  slices: string[];
  rows: number;
  columns: number;
  /** [row spacing, column spacing] in mm. */
  pixelSpacing: [number, number];
}

export const sliceKey = (sop: string, frame: number) => `${sop}/${frame}`;

const cross = (a: number[], b: number[]) => [
  a[1]! * b[2]! - a[2]! * b[1]!,
  a[2]! * b[0]! - a[0]! * b[2]!,
  a[0]! * b[1]! - a[1]! * b[0]!,
];

/**
 * Orders a series' frames along the slice normal (PS3.3 C.7.6.2: the normal is row × column
 * direction) and gives each slice its z position, so distances in mm honour uneven gaps. Frames
 * without geometry, or positions that do not strictly increase, fall back to one slice per mm.
 */
export function seriesGrid(images: GridImage[]): SeriesGrid {
  const first = images[0]!;
  const normal =
    first.orientation?.length === 6
      ? cross(first.orientation.slice(0, 3), first.orientation.slice(3))
      : undefined;
  const entries = images.flatMap((img) =>
    Array.from({ length: Math.max(1, img.frames) }, (_, f) => ({
      key: sliceKey(img.sopInstanceUid, f + 1),
      z:
        normal && img.position?.length === 3 && img.frames <= 1
          ? img.position[0]! * normal[0]! + img.position[1]! * normal[1]! + img.position[2]! * normal[2]!
          : undefined,
      order: f,
    })),
  );
  const haveZ = entries.every((e) => e.z !== undefined);
  if (haveZ) entries.sort((a, b) => a.z! - b.z!);
  const zs = entries.map((e, i) => (haveZ ? e.z! : i));
  const strictly = zs.every((z, i) => i === 0 || z > zs[i - 1]!);
  const spacing = (first.pixelSpacing?.length === 2 ? first.pixelSpacing : [1, 1]) as [number, number];
  const grid: Grid = {
    dims: [first.columns, first.rows, entries.length],
    spacing: [spacing[1], spacing[0], 1],
    ...(strictly && entries.length > 1 ? { zPositions: Float64Array.from(zs) } : {}),
  };
  return {
    seriesUid: first.seriesUid,
    grid,
    slices: entries.map((e) => e.key),
    rows: first.rows,
    columns: first.columns,
    pixelSpacing: spacing,
  };
}
