import { AppError } from '@annex/platform';

// Every way an export is refused or fails, with a stable code; messages never carry DICOM values.

export const exportNotFound = () => new AppError('EXPORT_NOT_FOUND', 404, 'No such export.');
export const noFinalLabelSet = (taskId: string) =>
  new AppError(
    'EXPORT_NO_FINAL_LABELSET',
    409,
    'This task has no final label set yet: it is exported once its consensus or a QC decision is accepted.',
    { taskId },
  );
export const nothingToExport = () =>
  new AppError(
    'EXPORT_NOTHING_SELECTED',
    400,
    'No task of this project with a final label set matches the filter; there is nothing to export.',
  );
export const formatNotApplicable = (format: string, reason: string) =>
  new AppError('EXPORT_FORMAT_NOT_APPLICABLE', 422, `${format}: ${reason}`, { format });
export const identifiedNeedsAdmin = () =>
  new AppError(
    'EXPORT_IDENTIFIED_FORBIDDEN',
    403,
    'An identified export (original UIDs, for the PACS) is for site administrators only.',
  );
export const identifiedFormats = () =>
  new AppError(
    'EXPORT_IDENTIFIED_FORMATS',
    400,
    'An identified export holds DICOM SEG and SR only (they go back to the PACS beside the originals).',
  );
export const exportNotReady = (status: string) =>
  new AppError(
    'EXPORT_NOT_READY',
    409,
    `This export is ${status}; it can be downloaded once it has succeeded.`,
    {
      status,
    },
  );
export const exportExpired = () =>
  new AppError(
    'EXPORT_EXPIRED',
    410,
    'This export has expired and its files were deleted; request it again.',
  );
export const cannotCancel = (status: string) =>
  new AppError(
    'EXPORT_NOT_CANCELLABLE',
    409,
    `This export is ${status}; only a queued or running one can be cancelled.`,
  );
export const cannotRetry = (status: string) =>
  new AppError(
    'EXPORT_NOT_RETRYABLE',
    409,
    `This export is ${status}; only a failed or cancelled one can be retried.`,
  );
export const rangeNotSatisfiable = (size: number) =>
  new AppError('EXPORT_RANGE_NOT_SATISFIABLE', 416, `The range is outside the file (${size} bytes).`, {
    size,
  });

/** The task's source images are gone (deleted study or a missing object): nothing is written. */
export const sourceMissing = (taskId: string, what: string) =>
  new AppError('EXPORT_SOURCE_MISSING', 409, `The source images of a task are missing (${what}).`, {
    taskId,
  });

/** Pixels that are not shown to annotators (burned-in text risk) do not leave in a dataset either. */
export const burnedInSource = (instanceUid: string) =>
  new AppError(
    'EXPORT_BURNED_IN_RISK',
    409,
    'A source image may carry burned-in patient text and is not exported de-identified; mask or exclude it.',
    { instance: instanceUid },
  );

/** The series does not form one voxel grid; `instance` is the (de-identified) offending image. */
export const geometryRefused = (code: string, reason: string, instance?: string, frame?: number) =>
  new AppError(
    'EXPORT_GEOMETRY_INVALID',
    422,
    `The label set's series is not one regular volume: ${reason}`,
    {
      reason: code,
      ...(instance ? { instance } : {}),
      ...(frame ? { frame } : {}),
    },
  );

/** A label refers to an image or a frame its series does not have, or has the wrong size. */
export const labelsDoNotFit = (reason: string, instance?: string) =>
  new AppError('EXPORT_LABELS_DO_NOT_FIT', 422, `The label set does not fit its series: ${reason}`, {
    ...(instance ? { instance } : {}),
  });

/** Thrown inside the job when the export was cancelled while it ran. */
export class ExportCancelled extends Error {
  constructor() {
    super('export cancelled');
  }
}
