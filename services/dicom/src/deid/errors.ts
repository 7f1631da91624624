/** Typed errors of the de-identification engine: stable code, HTTP status, never a DICOM value. */
export class DeidError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 422,
  ) {
    super(message);
    this.name = 'DeidError';
  }
}

export class MalformedDicomError extends DeidError {
  constructor(reason: string) {
    super('DEID_MALFORMED_DICOM', `The DICOM object could not be read: ${reason}.`, 400);
    this.name = 'MalformedDicomError';
  }
}

export class UnsupportedTransferSyntaxError extends DeidError {
  constructor(uid: string) {
    super(
      'DEID_UNSUPPORTED_TRANSFER_SYNTAX',
      `Transfer syntax ${uid} is not supported by the de-identifier.`,
      415,
    );
    this.name = 'UnsupportedTransferSyntaxError';
  }
}

/** The object may carry burned-in text that was not masked, and the caller asked not to receive such objects. */
export class BurnedInRiskError extends DeidError {
  constructor(readonly reasons: string[]) {
    super(
      'DEID_BURNED_IN_RISK',
      `The pixel data may contain burned-in text (${reasons.join(', ')}) and was not masked.`,
      409,
    );
    this.name = 'BurnedInRiskError';
  }
}

/** Pixel masking was asked for but cannot be done on this object. */
export class PixelMaskingUnsupportedError extends DeidError {
  constructor(readonly reason: string) {
    super('DEID_PIXEL_MASKING_UNSUPPORTED', `Pixel masking cannot be applied: ${reason}.`, 422);
    this.name = 'PixelMaskingUnsupportedError';
  }
}

/** The options given to the engine are not valid (the message lists the fields, never their values). */
export class DeidOptionsError extends DeidError {
  constructor(readonly fields: string[]) {
    super('DEID_BAD_OPTIONS', `Invalid de-identification options: ${fields.join(', ')}.`, 400);
    this.name = 'DeidOptionsError';
  }
}
