/** A DICOM element as the engine sees it: the value is a view into the source buffer until replaced. */
export interface DElement {
  /** (group << 16 | element) >>> 0 */
  tag: number;
  vr: string;
  /** Value bytes (not for SQ or encapsulated pixel data). */
  value?: Uint8Array;
  /** Sequence items (VR SQ). */
  items?: DElement[][];
  /** Encapsulated pixel data: the raw item fragments including the sequence delimiter. */
  encapsulated?: Uint8Array;
}

export interface Part10 {
  meta: DElement[];
  dataset: DElement[];
  transferSyntaxUid: string;
  /** The file preamble (128 bytes) is dropped: it may hold anything (PS3.10 7.5) and is not needed. */
  explicitVr: boolean;
  deflated: boolean;
}
