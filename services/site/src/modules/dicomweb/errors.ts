import { AppError } from '@annex/platform';

/** DICOMweb errors: stable codes, messages that name the parameter but never echo a value (it may be PHI). */
export const qidoBadRequest = (code: string, message: string, details?: Record<string, unknown>) =>
  new AppError(code, 400, message, details);

export const notFoundResource = (what: 'study' | 'series' | 'instance' | 'frame') =>
  new AppError(`${what.toUpperCase()}_NOT_FOUND`, 404, `No such ${what} (or it is not visible to you).`);

export const notAcceptable = (message: string) => new AppError('NOT_ACCEPTABLE', 406, message);
