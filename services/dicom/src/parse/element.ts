// The element shapes moved to the shared Part-10 layer (src/part10); this path stays for deep imports.
export type { ByteContext, DicomDataset, DicomElement, Span } from '../part10/element.ts';
