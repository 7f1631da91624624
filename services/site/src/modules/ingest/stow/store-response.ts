import type { IngestErrorCode } from '../errors.ts';
import type { IngestOutcome } from '../service.ts';

/** PS3.18 Table 10.5.3-1 / PS3.4 B.2.3 failure reasons used in a Store Instances Response. */
export const FailureReason = {
  ProcessingFailure: 0x0110,
  DuplicateSopInstance: 0x0111,
  SopClassNotSupported: 0x0122,
  OutOfResources: 0xa700,
  DataSetDoesNotMatchSopClass: 0xa900,
  CannotUnderstand: 0xc000,
  TransferSyntaxNotSupported: 0xc122,
} as const;

export function failureReasonOf(code: IngestErrorCode | 'INTERNAL' | 'NOT_APPLICATION_DICOM'): number {
  switch (code) {
    case 'STUDY_MISMATCH':
    case 'SOP_MISMATCH':
      return FailureReason.DataSetDoesNotMatchSopClass;
    case 'SOP_CLASS_NOT_SUPPORTED':
      return FailureReason.SopClassNotSupported;
    case 'UNSUPPORTED_TRANSFER_SYNTAX':
      return FailureReason.TransferSyntaxNotSupported;
    case 'INSTANCE_TOO_LARGE':
      return FailureReason.OutOfResources;
    case 'STORAGE_FAILED':
    case 'INTERNAL':
      return FailureReason.ProcessingFailure;
    default:
      return FailureReason.CannotUnderstand;
  }
}

export interface StowFailure {
  sopClassUid?: string;
  sopInstanceUid?: string;
  reason: number;
}

const ui = (value: string) => ({ vr: 'UI', Value: [value] });

/**
 * The Store Instances Response (PS3.18 10.5.3) in DICOM JSON, and its HTTP status: 200 when all
 * were stored, 202 when some failed, 409 when none was stored. A re-sent identical instance counts
 * as stored; different bytes under a known SOP Instance UID are a failure (0x0111, Duplicate SOP
 * Instance): they are kept for review, not served.
 */
export function storeInstancesResponse(
  studyUrl: string | undefined,
  stored: IngestOutcome[],
  failed: StowFailure[],
  instanceUrl: (o: IngestOutcome) => string,
) {
  const body: Record<string, unknown> = {};
  if (studyUrl) body['00081190'] = { vr: 'UR', Value: [studyUrl] };
  if (failed.length) {
    body['00081198'] = {
      vr: 'SQ',
      Value: failed.map((f) => ({
        ...(f.sopClassUid ? { '00081150': ui(f.sopClassUid) } : {}),
        ...(f.sopInstanceUid ? { '00081155': ui(f.sopInstanceUid) } : {}),
        '00081197': { vr: 'US', Value: [f.reason] },
      })),
    };
  }
  if (stored.length) {
    body['00081199'] = {
      vr: 'SQ',
      Value: stored.map((o) => ({
        '00081150': ui(o.sopClassUid),
        '00081155': ui(o.sopInstanceUid),
        '00081190': { vr: 'UR', Value: [instanceUrl(o)] },
      })),
    };
  }
  const status = failed.length === 0 ? 200 : stored.length === 0 ? 409 : 202;
  return { status, body };
}
