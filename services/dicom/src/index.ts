// Public surface of @annex/dicom. Exports stay sorted by path (biome): synthetic/ is the seeded test-data
// generator, parse/ the zero-copy Part-10 parser, frames/ pixel data access, decoding and rendering.

// PS3.15 de-identification and pseudonyms (deid owner).
export * from './deid/index.ts';
export type { Code, PatientStudy } from './derived/values.ts';
export { initCodecs } from './frames/codecs.ts';
export { canDecode, decodeFrame, decodeFrameSync } from './frames/decode-frame.ts';
export type { DecodedFrame } from './frames/decoded-frame.ts';
export { getFrame } from './frames/get-frame.ts';
export { RENDERED_CONTENT_TYPE, type RenderOptions, renderFrame, toGrey8 } from './frames/render-frame.ts';
export { decodeRleFrame } from './frames/rle-decode.ts';
export { encodeRleFrame } from './frames/rle-encode.ts';
export { TRANSCODE_TARGETS, transcodeInstance } from './frames/transcode.ts';
export { windowLinear } from './frames/voi-lut.ts';
export { imageVolumeNifti, labelVolumeNifti, niftiAffine } from './nifti/write-nifti.ts';
export {
  type DicomJsonDataset,
  type DicomJsonElement,
  type DicomJsonOptions,
  toDicomJson,
} from './parse/dicom-json.ts';
export {
  type IndexAttributes,
  type ParsedInstance,
  parseDataset,
  parseInstance,
} from './parse/parse-instance.ts';
export type { PixelDataInfo, PixelFrame } from './parse/pixel-layout.ts';
export { numberOf, numbersOf, readBytes, readNumbers, readStrings, stringOf } from './parse/values.ts';
export { lookupTag, tagHex, tagName } from './part10/dictionary.ts';
export type { ByteContext, DicomDataset, DicomElement, Span } from './part10/element.ts';
export { DicomParseError, type DicomParseErrorCode } from './part10/errors.ts';
export { TransferSyntax, type TransferSyntaxTraits, transferSyntaxTraits } from './part10/transfer-syntax.ts';
export { DatasetWalker } from './part10/walker.ts';
export * from './pseudonym/index.ts';
export {
  hexToDicomLab,
  packBits,
  SEGMENTATION_STORAGE,
  type SegInput,
  type SegSegment,
  writeSeg,
} from './seg/write-seg.ts';
export {
  COMPREHENSIVE_SR_STORAGE,
  type MeasurementReportInput,
  type SrClassification,
  type SrMeasurement,
  writeMeasurementReport,
} from './sr/write-sr.ts';
export { CT_IMAGE_STORAGE, type CtSeriesOptions, makeCtSeries } from './synthetic/ct-series.ts';
export type { SyntheticSeries } from './synthetic/image-series.ts';
export { MR_IMAGE_STORAGE, type MrSeriesOptions, makeMrSeries } from './synthetic/mr-series.ts';
export {
  MULTIFRAME_GRAYSCALE_WORD_SC_STORAGE,
  type MultiframeOptions,
  makeMultiframe,
} from './synthetic/multiframe.ts';
export { type Part10Input, type PixelPayload, writePart10 } from './synthetic/part10-writer.ts';
export { makePatient, type SyntheticPatient } from './synthetic/patient.ts';
export { type PersonName, toDicomPersonName } from './synthetic/person-name.ts';
export { ctPhantom, mrPhantom, type Phantom, phantomValueAt } from './synthetic/phantom.ts';
export { SYNTHETIC_PRIVATE_CREATOR } from './synthetic/phi-elements.ts';
export { phiValuesOf } from './synthetic/phi-values.ts';
export {
  patientToPixel,
  pixelToPatient,
  type SeriesGeometry,
  type SeriesOptions,
  SYNTHETIC_TRANSFER_SYNTAXES,
  type SyntheticTransferSyntax,
} from './synthetic/series-options.ts';
export { makeStudy, type SyntheticStudy } from './synthetic/study.ts';
export { lpsToRas, type Matrix4, voxelToPatientLps } from './volume/affine.ts';
export {
  seriesVolume,
  VolumeGeometryError,
  type VolumeGeometryErrorCode,
  type VolumeSourceInstance,
} from './volume/series-volume.ts';
export type { VolumeFrame, VolumeGeometry } from './volume/types.ts';
