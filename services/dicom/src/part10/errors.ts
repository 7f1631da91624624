/** Stable codes for everything that can be wrong with an input file; callers branch on these, not on messages. */
export type DicomParseErrorCode =
  | 'NOT_DICOM'
  | 'TRUNCATED'
  | 'MISSING_UID'
  | 'BAD_TRANSFER_SYNTAX'
  | 'UNSUPPORTED_TRANSFER_SYNTAX'
  | 'BAD_ELEMENT'
  | 'BAD_PIXEL_DATA'
  | 'FRAME_OUT_OF_RANGE';

/**
 * A file could not be read. Messages name tags, keywords and offsets only, never attribute values, so they can
 * be logged and returned to clients without leaking PHI.
 */
export class DicomParseError extends Error {
  readonly code: DicomParseErrorCode;
  /** HTTP status a service should answer with: bad input is 400, a syntax we cannot decode 415. */
  readonly status: number;
  constructor(code: DicomParseErrorCode, message: string) {
    super(message);
    this.name = 'DicomParseError';
    this.code = code;
    this.status = code === 'UNSUPPORTED_TRANSFER_SYNTAX' ? 415 : code === 'FRAME_OUT_OF_RANGE' ? 404 : 400;
  }
}

/**
 * A UID as it may appear in an error message: UIDs are digits and dots, so anything else in that field is
 * some other (possibly identifying) value and is not echoed.
 */
export function describeUid(uid: string): string {
  return /^[0-9.]{1,64}$/.test(uid) ? uid : '(not a valid UID)';
}

/** A defined term (CS value) as it may appear in an error message; anything else is not echoed. */
export function describeTerm(term: string): string {
  return /^[A-Z0-9_ ]{1,16}$/.test(term) ? term : '(not a defined term)';
}
