// The shared shape of a series as one voxel volume: what the SEG, SR and NIfTI writers are given.
// Built by volume/series-volume.ts from the index's DICOM JSON; every writer trusts it as checked.

/** One source frame of the volume, in slice order (k = 0 first, increasing along the slice normal). */
export interface VolumeFrame {
  /** SOP Instance UID of the source image (whichever UID set the caller chose: original or de-identified). */
  sopInstanceUid: string;
  sopClassUid: string;
  /** 1-based frame number inside its instance (1 for single-frame images). */
  frameNumber: number;
  /** ImagePositionPatient of the frame's first pixel, mm (LPS). */
  position: [number, number, number];
}

/** A series checked to form one regular voxel grid (same orientation, size and spacing, no gaps). */
export interface VolumeGeometry {
  studyInstanceUid: string;
  seriesInstanceUid: string;
  frameOfReferenceUid: string;
  rows: number;
  columns: number;
  /** ImageOrientationPatient: row direction cosines then column direction cosines (LPS). */
  orientation: [number, number, number, number, number, number];
  /** PixelSpacing: [row spacing (between rows), column spacing (between columns)] in mm, DICOM order. */
  pixelSpacing: [number, number];
  /** Distance between consecutive slice centres along the normal, mm (0 for a one-slice volume). */
  sliceSpacing: number;
  sliceThickness?: number;
  /** Slices in order along the normal row × column. */
  frames: VolumeFrame[];
}
