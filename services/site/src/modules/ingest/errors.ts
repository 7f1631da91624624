import { AppError } from '@annex/platform';

/**
 * Every way an instance can be refused, as a stable code. Parser codes (NOT_DICOM, TRUNCATED,
 * MISSING_UID, BAD_TRANSFER_SYNTAX, UNSUPPORTED_TRANSFER_SYNTAX, BAD_ELEMENT, BAD_PIXEL_DATA)
 * pass through unchanged; the rest are the pipeline's own.
 */
export type IngestErrorCode =
  | 'NOT_DICOM'
  | 'TRUNCATED'
  | 'MISSING_UID'
  | 'INVALID_UID'
  | 'BAD_TRANSFER_SYNTAX'
  | 'UNSUPPORTED_TRANSFER_SYNTAX'
  | 'BAD_ELEMENT'
  | 'BAD_PIXEL_DATA'
  | 'SOP_CLASS_NOT_SUPPORTED'
  | 'STUDY_MISMATCH'
  | 'SOP_MISMATCH'
  | 'INSTANCE_TOO_LARGE'
  | 'STORAGE_FAILED';

const STATUS: Record<IngestErrorCode, number> = {
  NOT_DICOM: 400,
  TRUNCATED: 400,
  MISSING_UID: 400,
  INVALID_UID: 400,
  BAD_TRANSFER_SYNTAX: 400,
  UNSUPPORTED_TRANSFER_SYNTAX: 415,
  BAD_ELEMENT: 400,
  BAD_PIXEL_DATA: 400,
  SOP_CLASS_NOT_SUPPORTED: 400,
  STUDY_MISMATCH: 409,
  SOP_MISMATCH: 400,
  INSTANCE_TOO_LARGE: 413,
  STORAGE_FAILED: 503,
};

/** A refused instance. Messages name tags and offsets only, never attribute values (PHI). */
export class IngestError extends AppError {
  declare readonly code: IngestErrorCode;
  /** The refused instance's SOP class/instance when the header was readable (STOW reports them). */
  declare readonly sop?: { sopClassUid: string; sopInstanceUid: string };
  constructor(code: IngestErrorCode, message: string, sop?: { sopClassUid: string; sopInstanceUid: string }) {
    super(code, STATUS[code], message);
    this.name = 'IngestError';
    // Not enumerable: error serializers (logs, responses) never see the UIDs.
    if (sop) Object.defineProperty(this, 'sop', { value: sop, enumerable: false });
  }
}

/** True when the failure is the sender's fault (bad bytes), false when ours (storage, database). */
export const isInputError = (code: IngestErrorCode) => STATUS[code] < 500;
