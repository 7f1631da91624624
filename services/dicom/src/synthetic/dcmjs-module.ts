import { createRequire } from 'node:module';
import type { DcmjsDict } from './dcmjs-dict.ts';

/** The slice of dcmjs's API this package uses; dcmjs ships no types, so it is typed here once. */
export interface DcmjsDicomDict {
  meta: DcmjsDict;
  dict: DcmjsDict;
  write(options?: { allowInvalidVRLength?: boolean }): ArrayBuffer;
}
export interface DcmjsModule {
  data: {
    DicomDict: new (meta: DcmjsDict) => DcmjsDicomDict;
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): DcmjsDicomDict;
    };
    DicomMetaDictionary: {
      naturalizeDataset(dict: DcmjsDict): Record<string, unknown>;
    };
  };
}

// createRequire keeps dcmjs (CommonJS build, no types) behind one typed seam instead of an ambient declaration.
export const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsModule;
