import { z } from 'zod';
import {
  frameCountSchema,
  instanceCountSchema,
  matrixDimensionSchema,
  modalitySchema,
  sliceThicknessMmSchema,
  sopClassUidSchema,
} from '../dicom-attributes.ts';
import { seriesId, studyId } from '../ids.ts';

// site→cloud: a study finished ingesting at the site. Only allow-listed attributes, per series.
export const seriesSummarySchema = z.strictObject({
  seriesId,
  modality: modalitySchema,
  sopClassUid: sopClassUidSchema,
  instanceCount: instanceCountSchema,
  frameCount: frameCountSchema,
  rows: matrixDimensionSchema.nullable(),
  columns: matrixDimensionSchema.nullable(),
  sliceThicknessMm: sliceThicknessMmSchema.nullable(),
});
export type SeriesSummary = z.infer<typeof seriesSummarySchema>;

export const studyAvailableSchema = z
  .strictObject({
    studyId,
    series: z.array(seriesSummarySchema).min(1).max(1000),
  })
  .superRefine((body, ctx) => {
    const seen = new Set<string>();
    body.series.forEach((s, i) => {
      if (seen.has(s.seriesId))
        ctx.addIssue({ code: 'custom', path: ['series', i, 'seriesId'], message: 'duplicate' });
      seen.add(s.seriesId);
    });
  });
export type StudyAvailable = z.infer<typeof studyAvailableSchema>;
