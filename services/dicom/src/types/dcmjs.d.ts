// The slice of dcmjs's ES module API the browser-safe readers use (dcmjs ships no types).
declare module 'dcmjs' {
  export const data: {
    DicomMessage: {
      readFile(buffer: ArrayBuffer, options?: Record<string, unknown>): { dict: Record<string, unknown> };
    };
    DicomMetaDictionary: {
      naturalizeDataset(dict: Record<string, unknown>): Record<string, unknown>;
    };
  };
}
