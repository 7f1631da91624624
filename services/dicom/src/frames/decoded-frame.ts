/** One frame's pixels, uncompressed, little endian and interleaved, with what is needed to display them. */
export interface DecodedFrame {
  rows: number;
  columns: number;
  samplesPerPixel: number;
  bitsAllocated: number;
  bitsStored: number;
  pixelRepresentation: number;
  photometricInterpretation: string;
  rescaleSlope: number;
  rescaleIntercept: number;
  windowCenter?: number;
  windowWidth?: number;
  /** Stored values, one per sample; masked to BitsStored (and sign-extended when signed). */
  pixels: Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array;
}
