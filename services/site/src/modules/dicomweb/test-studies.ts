import {
  makeCtSeries,
  makeMrSeries,
  makeMultiframe,
  makeStudy,
  type SyntheticSeries,
  type SyntheticStudy,
} from '@annex/dicom';
import type { TestSite } from '../../../test/app.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { ingestInstance } from '../ingest/service.ts';

/** Synthetic studies loaded through the real ingest pipeline, for DICOMweb tests (test support, not a test). */
export interface LoadedStudies {
  a: SyntheticStudy;
  b: SyntheticStudy;
  ct: SyntheticSeries;
  rle: SyntheticSeries;
  multiframe: SyntheticSeries;
  mr: SyntheticSeries;
}

export async function loadTestStudies(site: TestSite, seed: string): Promise<LoadedStudies> {
  const a = makeStudy(`${seed}-a`);
  const b = makeStudy(`${seed}-b`);
  const ct = makeCtSeries({ study: a, slices: 3, rows: 64, cols: 64, seriesNumber: 2 });
  const rle = makeCtSeries({
    study: a,
    slices: 2,
    rows: 64,
    cols: 64,
    seriesNumber: 3,
    transferSyntax: 'rle',
  });
  const multiframe = makeMultiframe({ study: a, frames: 4, rows: 32, cols: 32, seriesNumber: 4 });
  const mr = makeMrSeries({ study: b, slices: 2, rows: 64, cols: 64, seriesNumber: 5 });
  const ctx = ingestContextOf(site.app);
  for (const series of [ct, rle, multiframe, mr]) {
    for (const file of series.files) await ingestInstance(ctx, file, { via: 'upload' });
  }
  return { a, b, ct, rle, multiframe, mr };
}
