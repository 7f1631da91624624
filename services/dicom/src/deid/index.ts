// Public surface of the PS3.15 de-identification engine (re-exported from the package index).
export { type BurnedInAttributes, type BurnedInRisk, burnedInRisk } from './burned-in.ts';
export { collectPhiValues, collectPhiValuesFromJson, phiCanaries } from './collect-phi.ts';
export { dateShiftDaysFor } from './date-shift.ts';
export { type DeidentifyResult, deidentify } from './deidentify.ts';
export { type DeidentifyJsonResult, deidentifyJson } from './deidentify-json.ts';
export { type DeidentifyInput, type MaskTemplate, maskTemplateSchema } from './deidentify-options.ts';
export { keyIdOf } from './engine.ts';
export {
  BurnedInRiskError,
  DeidError,
  DeidOptionsError,
  MalformedDicomError,
  PixelMaskingUnsupportedError,
  UnsupportedTransferSyntaxError,
} from './errors.ts';
export { TABLE_E1_1_REVISION } from './generated/table-e1-1.ts';
export type { JsonDataset as DeidJsonDataset } from './json-elements.ts';
export { methodCodes } from './marking.ts';
export { classifyPhiStrings, type PhiKind, type PhiValues, phiValuesSchema } from './phi-values.ts';
export { findMaskTemplate } from './pixel-mask.ts';
export {
  type DeidOptions,
  type DeidProfile,
  deidOptionsSchema,
  PROFILES,
  type ProfileName,
  resolveProfile,
} from './profiles.ts';
export type { DeidReport, ReportEntry } from './report.ts';
export { SAFE_PRIVATE, type SafePrivateAttribute } from './safe-private.ts';
export { deidentifiedUid, UidRemapper } from './uid-remap.ts';
export { findResidualPhi, type PhiFinding, ResidualPhiError, verifyNoResidualPhi } from './verify.ts';
