import { z } from 'zod';
import { createJsonCall, type JsonCallOptions } from './json-call.ts';

// The site's label exports (services/site src/modules/exports/routes.ts): request, follow, cancel, retry,
// and a signed link that lets the browser's own download manager fetch (and resume) a large bundle.

export const EXPORT_FORMATS = [
  {
    id: 'seg',
    name: 'DICOM SEG',
    help: 'Masks as a DICOM Segmentation per series (pydicom, highdicom, OHIF, 3D Slicer).',
  },
  {
    id: 'sr',
    name: 'DICOM SR',
    help: 'Lengths, angles, polylines and answers as a TID 1500 measurement report.',
  },
  {
    id: 'nifti',
    name: 'NIfTI labels',
    help: 'The label volume per series (.nii.gz), oriented as dcm2niix orients the images.',
  },
  {
    id: 'nifti-image',
    name: 'NIfTI images',
    help: 'The image volume beside the labels, for training pipelines.',
  },
  {
    id: 'coco',
    name: 'COCO',
    help: 'Boxes, polygons and masks (RLE) of every task in one annotations.json.',
  },
  {
    id: 'coco-png',
    name: 'COCO PNG frames',
    help: 'The labelled frames as PNG files that the COCO entries point at.',
  },
  {
    id: 'dicom',
    name: 'De-identified DICOM',
    help: 'The source images, de-identified as annotators saw them (PS3.15).',
  },
] as const;
export type ExportFormatId = (typeof EXPORT_FORMATS)[number]['id'];

/** What an identified export may hold: objects that go back to the PACS beside the originals. */
export const IDENTIFIED_FORMATS: readonly ExportFormatId[] = ['seg', 'sr'];

/** How a task's final label set was made (the export filter's `methods`). */
export const CONSENSUS_METHODS = [
  { id: 'staple', name: 'STAPLE consensus' },
  { id: 'majority', name: 'Majority vote' },
  { id: 'single', name: 'Single annotator' },
  { id: 'annotator', name: 'One annotator chosen in QC' },
] as const;
export type ConsensusMethodId = (typeof CONSENSUS_METHODS)[number]['id'];

export const EXPORT_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'expired'] as const;

export const exportViewSchema = z.object({
  id: z.string().uuid(),
  projectId: z.string(),
  // Plain strings: a format or variant this page does not know yet still lists.
  formats: z.array(z.string()),
  variant: z.string(),
  status: z.enum(EXPORT_STATUSES),
  percent: z.number().min(0).max(100),
  itemsDone: z.number().int().min(0),
  itemsTotal: z.number().int().min(0),
  currentItem: z.string().max(100).nullable(),
  attempt: z.number().int().min(0),
  size: z.number().min(0).nullable(),
  sha256: z.string().nullable(),
  fileCount: z.number().int().min(0).nullable(),
  fileName: z.string().max(300).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  createdBy: z.string(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
});
export type ExportView = z.infer<typeof exportViewSchema>;

export interface ExportRequest {
  projectId: string;
  formats: ExportFormatId[];
  variant: 'deidentified' | 'identified';
  filter: {
    taskIds?: string[];
    methods?: ConsensusMethodId[];
    finalizedSince?: string;
    includeGold?: boolean;
  };
  expiresInHours?: number;
}

export class ExportsApiError extends Error {
  constructor(
    /** The server's stable code (EXPORT_NOTHING_SELECTED, EXPORT_IDENTIFIED_FORMATS, …) or API_OFFLINE. */
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ExportsApi {
  projects(): Promise<{ id: string; slug: string; name: string }[]>;
  list(projectId: string): Promise<ExportView[]>;
  get(id: string): Promise<ExportView>;
  request(body: ExportRequest): Promise<ExportView>;
  cancel(id: string): Promise<ExportView>;
  retry(id: string): Promise<ExportView>;
  /** An absolute URL that downloads the bundle without a token, and when it stops working. */
  link(id: string): Promise<{ url: string; expiresAt: string }>;
}

const projectsSchema = z.object({
  items: z.array(z.object({ id: z.string(), slug: z.string(), name: z.string() })),
});
const linkSchema = z.object({ url: z.string().max(2000), expiresAt: z.string() });

export function createExportsApi(opts: JsonCallOptions): ExportsApi {
  const call = createJsonCall(opts, {
    offline: () => new ExportsApiError('API_OFFLINE', 0, 'The server cannot be reached.'),
    refused: (r) =>
      new ExportsApiError(
        r.code ?? 'API_FAILED',
        r.status,
        r.message ?? `${r.method} ${r.path} failed with HTTP ${r.status}`,
      ),
  });
  const enc = encodeURIComponent;
  // The server's link is root-relative; resolve it against the API's own origin.
  const apiBase = () =>
    new URL(opts.baseUrl, typeof document === 'undefined' ? 'http://localhost/' : document.baseURI);
  return {
    projects: () => call('GET', '/projects', projectsSchema).then((r) => r.items),
    list: (projectId) =>
      call(
        'GET',
        `/exports?projectId=${enc(projectId)}`,
        z.object({ items: z.array(exportViewSchema) }),
      ).then((r) => r.items),
    get: (id) => call('GET', `/exports/${enc(id)}`, exportViewSchema),
    request: (body) => call('POST', '/exports', exportViewSchema, body),
    cancel: (id) => call('POST', `/exports/${enc(id)}/cancel`, exportViewSchema, {}),
    retry: (id) => call('POST', `/exports/${enc(id)}/retry`, exportViewSchema, {}),
    link: async (id) => {
      const r = await call('POST', `/exports/${enc(id)}/link`, linkSchema, {});
      const url = new URL(r.url, apiBase());
      // A link elsewhere would hand the browser to another site; only the API's origin is trusted.
      if (url.origin !== apiBase().origin)
        throw new ExportsApiError(
          'EXPORT_LINK_FOREIGN',
          0,
          'The server sent a download link to another site.',
        );
      return { url: url.toString(), expiresAt: r.expiresAt };
    },
  };
}

/** Bytes for people, in decimal units: 1.5 GB, 320 MB. */
export function formatBytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** An export the job has not finished with: followed by polling, and cancellable. */
export const isActive = (e: ExportView) => e.status === 'queued' || e.status === 'running';
/** Only a failed or cancelled export can be built again (the server's rule). */
export const isRetryable = (e: ExportView) => e.status === 'failed' || e.status === 'cancelled';

/** The request body from the form's choices; an identified export keeps only SEG and SR. */
export function exportRequestOf(form: {
  projectId: string;
  formats: readonly ExportFormatId[];
  variant: 'deidentified' | 'identified';
  methods: readonly ConsensusMethodId[];
  /** `YYYY-MM-DD` from a date input, read as local midnight; empty for no bound. */
  finalizedSince: string;
  includeGold: boolean;
}): ExportRequest {
  const formats =
    form.variant === 'identified'
      ? form.formats.filter((f) => IDENTIFIED_FORMATS.includes(f))
      : [...form.formats];
  const since = /^\d{4}-\d{2}-\d{2}$/.test(form.finalizedSince)
    ? new Date(`${form.finalizedSince}T00:00:00`).toISOString()
    : undefined;
  return {
    projectId: form.projectId,
    formats,
    variant: form.variant,
    filter: {
      ...(form.methods.length > 0 ? { methods: [...form.methods] } : {}),
      ...(since ? { finalizedSince: since } : {}),
      includeGold: form.includeGold,
    },
  };
}
