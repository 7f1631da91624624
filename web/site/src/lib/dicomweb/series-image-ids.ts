import { type DicomJson, getNumber, getNumbers, getString, Tag } from './dicom-json.ts';

export interface SeriesImage {
  /** Cornerstone image id: `wadors:<base>/studies/…/instances/…/frames/<n>`. */
  imageId: string;
  /** The instance's metadata, shared by all frames of a multi-frame instance. */
  metadata: DicomJson;
  sopInstanceUid: string;
  frame: number;
}

function dot(a: number[], b: number[]): number {
  return (a[0] ?? 0) * (b[0] ?? 0) + (a[1] ?? 0) * (b[1] ?? 0) + (a[2] ?? 0) * (b[2] ?? 0);
}

/** Distance of an instance along its slice normal; undefined when geometry is missing. */
export function slicePosition(ds: DicomJson): number | undefined {
  const ipp = getNumbers(ds, Tag.ImagePositionPatient);
  const iop = getNumbers(ds, Tag.ImageOrientationPatient);
  if (!ipp || ipp.length < 3 || !iop || iop.length < 6) return undefined;
  const [r0, r1, r2, c0, c1, c2] = iop as [number, number, number, number, number, number];
  const normal = [r1 * c2 - r2 * c1, r2 * c0 - r0 * c2, r0 * c1 - r1 * c0];
  return dot(ipp, normal);
}

/**
 * Orders a series' instances the way a reader scrolls them (by position along the normal when
 * every slice has geometry, else by InstanceNumber) and expands multi-frame instances into
 * one image id per frame.
 */
export function seriesImages(baseUrl: string, instances: DicomJson[]): SeriesImage[] {
  const keyed = instances.map((ds, i) => ({
    ds,
    i,
    pos: slicePosition(ds),
    num: getNumber(ds, Tag.InstanceNumber),
  }));
  const allHavePos = keyed.every((k) => k.pos !== undefined);
  keyed.sort((a, b) => {
    if (allHavePos && a.pos !== b.pos) return (b.pos as number) - (a.pos as number);
    if (a.num !== undefined && b.num !== undefined && a.num !== b.num) return a.num - b.num;
    return a.i - b.i;
  });
  const base = baseUrl.replace(/\/+$/, '');
  const out: SeriesImage[] = [];
  for (const { ds } of keyed) {
    const study = getString(ds, Tag.StudyInstanceUID);
    const series = getString(ds, Tag.SeriesInstanceUID);
    const sop = getString(ds, Tag.SOPInstanceUID);
    if (!study || !series || !sop) continue;
    const frames = Math.max(1, getNumber(ds, Tag.NumberOfFrames) ?? 1);
    for (let f = 1; f <= frames; f++) {
      out.push({
        imageId: `wadors:${base}/studies/${study}/series/${series}/instances/${sop}/frames/${f}`,
        metadata: ds,
        sopInstanceUid: sop,
        frame: f,
      });
    }
  }
  return out;
}
