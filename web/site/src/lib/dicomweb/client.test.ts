import { describe, expect, it } from 'vitest';
import { createDicomwebClient, DicomwebError } from './client.ts';

function fakeFetch(
  status: number,
  body: unknown,
  seen: Array<{ url: string; headers: Record<string, string> }>,
) {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(url), headers: init?.headers as Record<string, string> });
    return new Response(status === 204 ? null : JSON.stringify(body), { status });
  }) as typeof fetch;
}

describe('DICOMweb client', () => {
  it('sends the bearer token and asks for DICOM JSON', async () => {
    const seen: Array<{ url: string; headers: Record<string, string> }> = [];
    const c = createDicomwebClient({
      baseUrl: 'http://s/dicomweb/',
      getToken: async () => 'tok',
      fetch: fakeFetch(200, [], seen),
    });
    await c.retrieveSeriesMetadata('1.2', '1.2.3');
    expect(seen[0]?.url).toBe('http://s/dicomweb/studies/1.2/series/1.2.3/metadata');
    expect(seen[0]?.headers).toEqual({ Accept: 'application/dicom+json', Authorization: 'Bearer tok' });
  });

  it('sends no Authorization header without a token', async () => {
    const seen: Array<{ url: string; headers: Record<string, string> }> = [];
    const c = createDicomwebClient({
      baseUrl: '/d',
      getToken: async () => undefined,
      fetch: fakeFetch(200, [], seen),
    });
    await c.searchStudies();
    expect(seen[0]?.headers.Authorization).toBeUndefined();
  });

  it('reads 204 No Content as no matches', async () => {
    const c = createDicomwebClient({
      baseUrl: '/d',
      getToken: async () => undefined,
      fetch: fakeFetch(204, null, []),
    });
    expect(await c.searchSeries('1')).toEqual([]);
  });

  it('turns 401 into a typed error that says what failed without PHI', async () => {
    const c = createDicomwebClient({
      baseUrl: '/d',
      getToken: async () => 'x',
      fetch: fakeFetch(401, {}, []),
    });
    const err = await c.searchInstances('1.2', '3.4').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DicomwebError);
    expect(err).toMatchObject({ code: 'DICOMWEB_UNAUTHORIZED', status: 401 });
    expect((err as Error).message).toBe('DICOMweb instance search failed with HTTP 401');
  });
});
