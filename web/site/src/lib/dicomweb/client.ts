import type { DicomJson } from './dicom-json.ts';

/** Supplies the bearer token for each request; undefined means no Authorization header. */
export type TokenGetter = () => Promise<string | undefined>;

export class DicomwebError extends Error {
  constructor(
    readonly code: 'DICOMWEB_UNAUTHORIZED' | 'DICOMWEB_FORBIDDEN' | 'DICOMWEB_NOT_FOUND' | 'DICOMWEB_FAILED',
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface DicomwebClient {
  readonly baseUrl: string;
  searchStudies(query?: Record<string, string>): Promise<DicomJson[]>;
  searchSeries(studyUid: string): Promise<DicomJson[]>;
  searchInstances(studyUid: string, seriesUid: string): Promise<DicomJson[]>;
  retrieveSeriesMetadata(studyUid: string, seriesUid: string): Promise<DicomJson[]>;
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** QIDO-RS and WADO-RS metadata over fetch; frames go through Cornerstone's loader instead. */
export function createDicomwebClient(opts: {
  baseUrl: string;
  getToken: TokenGetter;
  fetch?: typeof fetch;
}): DicomwebClient {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const baseUrl = opts.baseUrl;

  async function getJson(what: string, path: string, query?: Record<string, string>): Promise<DicomJson[]> {
    let url = joinUrl(baseUrl, path);
    if (query && Object.keys(query).length > 0) url += `?${new URLSearchParams(query).toString()}`;
    const headers: Record<string, string> = { Accept: 'application/dicom+json' };
    const token = await opts.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    const res = await doFetch(url, { headers });
    // 204 is how QIDO-RS says "no matches".
    if (res.status === 204) return [];
    if (!res.ok) {
      const code =
        res.status === 401
          ? 'DICOMWEB_UNAUTHORIZED'
          : res.status === 403
            ? 'DICOMWEB_FORBIDDEN'
            : res.status === 404
              ? 'DICOMWEB_NOT_FOUND'
              : 'DICOMWEB_FAILED';
      // Named by kind, not by path: UIDs identify a patient's study and stay out of messages.
      throw new DicomwebError(code, res.status, `DICOMweb ${what} failed with HTTP ${res.status}`);
    }
    const body: unknown = await res.json();
    if (!Array.isArray(body))
      throw new DicomwebError('DICOMWEB_FAILED', res.status, `${path}: expected a JSON array`);
    return body as DicomJson[];
  }

  return {
    baseUrl,
    searchStudies: (query) => getJson('study search', 'studies', { includefield: 'all', ...query }),
    searchSeries: (s) => getJson('series search', `studies/${s}/series`, { includefield: 'all' }),
    searchInstances: (s, se) => getJson('instance search', `studies/${s}/series/${se}/instances`),
    retrieveSeriesMetadata: (s, se) => getJson('series metadata', `studies/${s}/series/${se}/metadata`),
  };
}
