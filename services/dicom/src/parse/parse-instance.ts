import { PIXEL_DATA } from '../part10/constants.ts';
import type { ByteContext, DicomDataset } from '../part10/element.ts';
import { DicomParseError, describeUid } from '../part10/errors.ts';
import { readDatasetBody, readFileMeta } from '../part10/file.ts';
import { transferSyntaxTraits } from '../part10/transfer-syntax.ts';
import { decoderFor } from './character-set.ts';
import { T } from './index-tags.ts';
import { type PixelDataInfo, pixelLayout } from './pixel-layout.ts';
import { numberOf, numbersOf, readStrings, stringOf } from './values.ts';

/** Attributes a QIDO-RS index and an image pipeline need, decoded from the header. */
export interface IndexAttributes {
  specificCharacterSet?: string;
  patientName?: string;
  patientId?: string;
  issuerOfPatientId?: string;
  patientBirthDate?: string;
  patientSex?: string;
  studyDate?: string;
  studyTime?: string;
  accessionNumber?: string;
  studyId?: string;
  referringPhysicianName?: string;
  studyDescription?: string;
  modality?: string;
  seriesNumber?: number;
  seriesDescription?: string;
  seriesDate?: string;
  bodyPartExamined?: string;
  manufacturer?: string;
  instanceNumber?: number;
  contentDate?: string;
  rows?: number;
  columns?: number;
  numberOfFrames: number;
  samplesPerPixel?: number;
  photometricInterpretation?: string;
  planarConfiguration?: number;
  bitsAllocated?: number;
  bitsStored?: number;
  highBit?: number;
  pixelRepresentation?: number;
  pixelSpacing?: number[];
  imagePositionPatient?: number[];
  imageOrientationPatient?: number[];
  sliceThickness?: number;
  spacingBetweenSlices?: number;
  sliceLocation?: number;
  frameOfReferenceUid?: string;
  rescaleSlope?: number;
  rescaleIntercept?: number;
  windowCenter?: number[];
  windowWidth?: number[];
  /** Per-frame ImagePositionPatient of enhanced/multi-frame objects (functional groups), when present. */
  framePositions?: number[][];
}

export interface ParsedInstance extends IndexAttributes {
  transferSyntaxUid: string;
  sopClassUid: string;
  sopInstanceUid: string;
  studyInstanceUid: string;
  seriesInstanceUid: string;
  pixelData?: PixelDataInfo;
  meta: DicomDataset;
  dataset: DicomDataset;
  /** The bytes offsets refer to: the input, or the inflated dataset for Deflated Explicit VR Little Endian. */
  context: ByteContext;
}

/** Looks a tag up in the first item of a functional group sequence (shared, or per-frame item). */
function inGroup(ds: DicomDataset | undefined, macro: number): DicomDataset | undefined {
  return ds?.get(macro)?.items?.[0];
}

/**
 * Parses a DICOM Part-10 file's structure and index attributes without copying or decoding pixel data.
 * Errors are DicomParseError with a stable code; messages name tags and offsets, never values.
 */
export function parseInstance(buf: Buffer): ParsedInstance {
  const { meta, end, transferSyntaxUid } = readFileMeta(buf);
  if (!transferSyntaxUid) throw new DicomParseError('MISSING_UID', 'missing TransferSyntaxUID');
  return parseBody(buf, end, transferSyntaxUid, meta);
}

/**
 * Parses a bare dataset without preamble or file meta group, in the transfer syntax negotiated for it: what a
 * DIMSE C-STORE SCP receives. Same result and errors as parseInstance (with an empty `meta`).
 */
export function parseDataset(buf: Buffer, transferSyntaxUid: string): ParsedInstance {
  return parseBody(buf, 0, transferSyntaxUid, new Map());
}

function parseBody(buf: Buffer, end: number, transferSyntaxUid: string, meta: DicomDataset): ParsedInstance {
  const traits = transferSyntaxTraits(transferSyntaxUid);
  if (!traits) {
    throw new DicomParseError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `transfer syntax ${describeUid(transferSyntaxUid)} is not supported`,
    );
  }
  const { source, dataset } = readDatasetBody(buf, end, traits);
  const latin1: ByteContext = { source, littleEndian: traits.littleEndian };
  const charsetElement = dataset.get(T.SpecificCharacterSet);
  const charset = charsetElement ? readStrings(latin1, charsetElement).join('\\') : undefined;
  const context: ByteContext = { ...latin1, decoder: decoderFor(charset) };
  const str = (tag: number) => stringOf(context, dataset, tag);
  const num = (tag: number) => numberOf(context, dataset, tag);
  const nums = (tag: number) => numbersOf(context, dataset, tag);
  const uid = (tag: number, keyword: string) => {
    const value = str(tag);
    if (!value) throw new DicomParseError('MISSING_UID', `missing ${keyword}`);
    return value;
  };

  const shared = dataset.get(T.SharedFunctionalGroups)?.items?.[0];
  const perFrame = dataset.get(T.PerFrameFunctionalGroups)?.items;
  const fromGroups = (macro: number, tag: number) => {
    const item = inGroup(shared, macro) ?? inGroup(perFrame?.[0], macro);
    return item ? numbersOf(context, item, tag) : undefined;
  };
  const framePositions = perFrame
    ?.map((item) => {
      const position = inGroup(item, T.PlanePosition) ?? inGroup(shared, T.PlanePosition);
      return position ? numbersOf(context, position, T.ImagePositionPatient) : undefined;
    })
    .filter((p): p is number[] => p !== undefined);

  const parsed: ParsedInstance = {
    transferSyntaxUid,
    sopClassUid: uid(T.SOPClassUID, 'SOPClassUID'),
    sopInstanceUid: uid(T.SOPInstanceUID, 'SOPInstanceUID'),
    studyInstanceUid: uid(T.StudyInstanceUID, 'StudyInstanceUID'),
    seriesInstanceUid: uid(T.SeriesInstanceUID, 'SeriesInstanceUID'),
    specificCharacterSet: charset,
    patientName: str(T.PatientName),
    patientId: str(T.PatientID),
    issuerOfPatientId: str(T.IssuerOfPatientID),
    patientBirthDate: str(T.PatientBirthDate),
    patientSex: str(T.PatientSex),
    studyDate: str(T.StudyDate),
    studyTime: str(T.StudyTime),
    accessionNumber: str(T.AccessionNumber),
    studyId: str(T.StudyID),
    referringPhysicianName: str(T.ReferringPhysicianName),
    studyDescription: str(T.StudyDescription),
    modality: str(T.Modality),
    seriesNumber: num(T.SeriesNumber),
    seriesDescription: str(T.SeriesDescription),
    seriesDate: str(T.SeriesDate),
    bodyPartExamined: str(T.BodyPartExamined),
    manufacturer: str(T.Manufacturer),
    instanceNumber: num(T.InstanceNumber),
    contentDate: str(T.ContentDate),
    rows: num(T.Rows),
    columns: num(T.Columns),
    numberOfFrames: num(T.NumberOfFrames) ?? 1,
    samplesPerPixel: num(T.SamplesPerPixel),
    photometricInterpretation: str(T.PhotometricInterpretation),
    planarConfiguration: num(T.PlanarConfiguration),
    bitsAllocated: num(T.BitsAllocated),
    bitsStored: num(T.BitsStored),
    highBit: num(T.HighBit),
    pixelRepresentation: num(T.PixelRepresentation),
    pixelSpacing: nums(T.PixelSpacing) ?? fromGroups(T.PixelMeasures, T.PixelSpacing),
    imagePositionPatient: nums(T.ImagePositionPatient) ?? framePositions?.[0],
    imageOrientationPatient:
      nums(T.ImageOrientationPatient) ?? fromGroups(T.PlaneOrientation, T.ImageOrientationPatient),
    sliceThickness: num(T.SliceThickness) ?? fromGroups(T.PixelMeasures, T.SliceThickness)?.[0],
    spacingBetweenSlices:
      num(T.SpacingBetweenSlices) ?? fromGroups(T.PixelMeasures, T.SpacingBetweenSlices)?.[0],
    sliceLocation: num(T.SliceLocation),
    frameOfReferenceUid: str(T.FrameOfReferenceUID),
    rescaleSlope: num(T.RescaleSlope) ?? fromGroups(T.PixelValueTransformation, T.RescaleSlope)?.[0],
    rescaleIntercept:
      num(T.RescaleIntercept) ?? fromGroups(T.PixelValueTransformation, T.RescaleIntercept)?.[0],
    windowCenter: nums(T.WindowCenter) ?? fromGroups(T.FrameVOILUT, T.WindowCenter),
    windowWidth: nums(T.WindowWidth) ?? fromGroups(T.FrameVOILUT, T.WindowWidth),
    framePositions: framePositions && framePositions.length > 0 ? framePositions : undefined,
    meta,
    dataset,
    context,
  };
  const pixelElement = dataset.get(PIXEL_DATA);
  if (pixelElement) {
    parsed.pixelData = pixelLayout(context, dataset, pixelElement, {
      rows: parsed.rows ?? 0,
      columns: parsed.columns ?? 0,
      samplesPerPixel: parsed.samplesPerPixel ?? 1,
      bitsAllocated: parsed.bitsAllocated ?? 16,
      numberOfFrames: parsed.numberOfFrames,
    });
  }
  return parsed;
}
