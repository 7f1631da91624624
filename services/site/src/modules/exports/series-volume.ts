import { seriesVolume, type VolumeGeometry, VolumeGeometryError } from '@annex/dicom';
import { geometryRefused } from './errors.ts';
import type { SourceSeries } from './task-source.ts';

export interface SeriesVolume {
  series: SourceSeries;
  geometry: VolumeGeometry;
  /** Slice index by the de-identified "<sop>/<frame>" the label set refers to. */
  sliceOf: Map<string, number>;
}

/**
 * A series as one checked voxel grid, in the UIDs the export shows. A geometry that is not one regular
 * volume is refused with the reason and the offending image named by the UID annotators saw.
 */
export function volumeOfSeries(series: SourceSeries): SeriesVolume {
  const deidOf = new Map(series.instances.map((i) => [i.uid, i.deidUid]));
  let geometry: VolumeGeometry;
  try {
    geometry = seriesVolume(
      series.instances.map((i) => ({
        sopInstanceUid: i.uid,
        sopClassUid: i.sopClassUid,
        numberOfFrames: i.numberOfFrames,
        metadata: i.geometry,
      })),
    );
  } catch (error) {
    if (error instanceof VolumeGeometryError)
      throw geometryRefused(
        error.code,
        error.message,
        error.sopInstanceUid ? deidOf.get(error.sopInstanceUid) : undefined,
        error.frameNumber,
      );
    throw error;
  }
  // The grid's own UIDs as the export's images show them (the geometry carries numbers, not these).
  geometry.studyInstanceUid = series.studyUid;
  geometry.seriesInstanceUid = series.uid;
  geometry.frameOfReferenceUid = series.frameOfReferenceUid ?? geometry.frameOfReferenceUid;
  const sliceOf = new Map<string, number>();
  for (const [k, f] of geometry.frames.entries())
    sliceOf.set(`${deidOf.get(f.sopInstanceUid)}/${f.frameNumber}`, k);
  return { series, geometry, sliceOf };
}
