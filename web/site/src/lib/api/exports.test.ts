import { describe, expect, it } from 'vitest';
import {
  createExportsApi,
  ExportsApiError,
  type ExportView,
  exportRequestOf,
  formatBytes,
  isActive,
  isRetryable,
} from './exports.ts';

// fetch is the edge here: a fake one answers as the site does (the site's side is tested in
// services/site src/modules/exports/exports.test.ts; both together in test/exports.e2e.test.ts).
type Seen = { url: string; init?: RequestInit };
function fakeFetch(answer: (url: string) => { status: number; body: unknown }, seen: Seen[]) {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(url), ...(init ? { init } : {}) });
    const { status, body } = answer(String(url));
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
}

const ID = '5d0c3a52-8f7e-4c5e-9d36-0f3c9a1b2c3d';
const P = '22222222-2222-4222-8222-222222222222';
const view: ExportView = {
  id: ID,
  projectId: P,
  formats: ['seg'],
  variant: 'deidentified',
  status: 'running',
  percent: 40,
  itemsDone: 2,
  itemsTotal: 5,
  currentItem: 'tk_abcdefghijklmnopqrst',
  attempt: 1,
  size: null,
  sha256: null,
  fileCount: null,
  fileName: null,
  error: null,
  createdBy: 'admin',
  createdAt: '2026-12-06T12:00:00.000Z',
  finishedAt: null,
  expiresAt: null,
};

describe('the exports API client', () => {
  it("lists a project's exports and follows one, with the bearer token", async () => {
    const seen: Seen[] = [];
    const api = createExportsApi({
      baseUrl: 'http://site.local/api/',
      getToken: async () => 'tok',
      fetch: fakeFetch((url) => ({ status: 200, body: url.includes('?') ? { items: [view] } : view }), seen),
    });
    expect(await api.list(P)).toEqual([view]);
    expect((await api.get(ID)).percent).toBe(40);
    expect(seen.map((s) => s.url)).toEqual([
      `http://site.local/api/exports?projectId=${P}`,
      `http://site.local/api/exports/${ID}`,
    ]);
    expect((seen[0]!.init!.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });

  it('posts the request, cancel and retry to their routes', async () => {
    const seen: Seen[] = [];
    const api = createExportsApi({
      baseUrl: '/api',
      getToken: async () => undefined,
      fetch: fakeFetch(() => ({ status: 202, body: { ...view, status: 'queued' } }), seen),
    });
    const body = {
      projectId: P,
      formats: ['seg' as const],
      variant: 'deidentified' as const,
      filter: { includeGold: false },
    };
    expect((await api.request(body)).status).toBe('queued');
    await api.cancel(ID);
    await api.retry(ID);
    expect(seen.map((s) => [s.init?.method, s.url])).toEqual([
      ['POST', '/api/exports'],
      ['POST', `/api/exports/${ID}/cancel`],
      ['POST', `/api/exports/${ID}/retry`],
    ]);
    expect(JSON.parse(String(seen[0]!.init!.body))).toEqual(body);
  });

  it("turns the server's root-relative download link absolute, on the API's origin", async () => {
    const api = createExportsApi({
      baseUrl: 'http://site.local/api',
      getToken: async () => 't',
      fetch: fakeFetch(
        () => ({
          status: 200,
          body: { url: `/api/exports/${ID}/download?sub=admin&expires=1&sig=s`, expiresAt: 'z' },
        }),
        [],
      ),
    });
    expect(await api.link(ID)).toEqual({
      url: `http://site.local/api/exports/${ID}/download?sub=admin&expires=1&sig=s`,
      expiresAt: 'z',
    });
  });

  it('refuses a download link to another origin', async () => {
    const api = createExportsApi({
      baseUrl: 'http://site.local/api',
      getToken: async () => 't',
      fetch: fakeFetch(
        () => ({ status: 200, body: { url: 'https://elsewhere.example/x', expiresAt: 'z' } }),
        [],
      ),
    });
    await expect(api.link(ID)).rejects.toMatchObject({ code: 'EXPORT_LINK_FOREIGN' });
  });

  it("keeps the server's code and message when it refuses", async () => {
    const api = createExportsApi({
      baseUrl: '/api',
      getToken: async () => undefined,
      fetch: fakeFetch(
        () => ({
          status: 400,
          body: { error: { code: 'EXPORT_NOTHING_SELECTED', message: 'There is nothing to export.' } },
        }),
        [],
      ),
    });
    const error = await api
      .request({ projectId: P, formats: ['seg'], variant: 'deidentified', filter: {} })
      .catch((e) => e);
    expect(error).toBeInstanceOf(ExportsApiError);
    expect(error).toMatchObject({
      code: 'EXPORT_NOTHING_SELECTED',
      status: 400,
      message: 'There is nothing to export.',
    });
  });

  it('rejects an answer that is not an export', async () => {
    const api = createExportsApi({
      baseUrl: '/api',
      getToken: async () => undefined,
      fetch: fakeFetch(() => ({ status: 200, body: { ...view, status: 'exploded' } }), []),
    });
    await expect(api.get(ID)).rejects.toThrow();
  });
});

describe('the export form', () => {
  const form = {
    projectId: P,
    formats: ['seg', 'nifti', 'dicom'] as const,
    variant: 'deidentified' as const,
    methods: [] as const,
    finalizedSince: '',
    includeGold: false,
  };

  it('sends no method or date bound when none is chosen', () => {
    expect(exportRequestOf(form)).toEqual({
      projectId: P,
      formats: ['seg', 'nifti', 'dicom'],
      variant: 'deidentified',
      filter: { includeGold: false },
    });
  });

  it('reads the date as local midnight and keeps the chosen methods', () => {
    const r = exportRequestOf({
      ...form,
      methods: ['staple', 'single'],
      finalizedSince: '2026-12-01',
      includeGold: true,
    });
    expect(r.filter).toEqual({
      methods: ['staple', 'single'],
      finalizedSince: new Date(2026, 11, 1).toISOString(),
      includeGold: true,
    });
  });

  it('keeps only SEG and SR in an identified export', () => {
    expect(exportRequestOf({ ...form, variant: 'identified' }).formats).toEqual(['seg']);
  });

  it('offers cancel while the job has not finished, and retry after a failure or a cancel', () => {
    const of = (status: ExportView['status']) => ({ ...view, status });
    expect(['queued', 'running'].map((s) => isActive(of(s as ExportView['status'])))).toEqual([true, true]);
    expect(isActive(of('succeeded'))).toBe(false);
    expect(
      ['failed', 'cancelled', 'succeeded', 'expired'].map((s) => isRetryable(of(s as ExportView['status']))),
    ).toEqual([true, true, false, false]);
  });

  it('says sizes in decimal units', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(320_000_000)).toBe('320.0 MB');
    expect(formatBytes(1_500_000_000)).toBe('1.5 GB');
  });
});
