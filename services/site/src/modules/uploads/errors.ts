import { AppError } from '@annex/platform';

/** Archive-level refusals: the whole upload is refused before anything of it is stored. */
export type UploadErrorCode =
  | 'PAYLOAD_TOO_LARGE'
  | 'UPLOAD_EMPTY'
  | 'UPLOAD_NOT_SUPPORTED'
  | 'ZIP_INVALID'
  | 'ZIP_TOO_MANY_ENTRIES'
  | 'ZIP_TOO_LARGE'
  | 'ZIP_RATIO_EXCEEDED'
  | 'ZIP_UNSAFE_PATH'
  | 'INTERRUPTED';

const STATUS: Record<UploadErrorCode, number> = {
  PAYLOAD_TOO_LARGE: 413,
  UPLOAD_EMPTY: 400,
  UPLOAD_NOT_SUPPORTED: 415,
  ZIP_INVALID: 400,
  ZIP_TOO_MANY_ENTRIES: 413,
  ZIP_TOO_LARGE: 413,
  ZIP_RATIO_EXCEEDED: 413,
  ZIP_UNSAFE_PATH: 400,
  INTERRUPTED: 500,
};

export class UploadError extends AppError {
  declare readonly code: UploadErrorCode;
  constructor(code: UploadErrorCode, message: string) {
    super(code, STATUS[code], message);
    this.name = 'UploadError';
  }
}
