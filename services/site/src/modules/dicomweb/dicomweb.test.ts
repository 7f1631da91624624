import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeRleFrame, makeCtSeries, parseInstance } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { frameSpans, pixelIndexSchema } from '../ingest/pixel-index.ts';
import { ingestInstance } from '../ingest/service.ts';
import { parseMultipart } from './multipart.ts';
import { type LoadedStudies, loadTestStudies } from './test-studies.ts';

let site: TestSite;
let s: LoadedStudies;
let phil: { authorization: string };
beforeAll(async () => {
  site = await startTestSite({ WEB_ORIGINS: 'http://viewer.test' });
  s = await loadTestStudies(site, 'dicomweb');
  phil = await site.auth('phil');
});
afterAll(async () => site?.close());

type Json = Record<string, { vr: string; Value?: unknown[] }>;
const get = async (url: string, headers: Record<string, string> = {}) =>
  site.app.inject({ method: 'GET', url, headers: { ...phil, ...headers } });
const json = async (url: string, headers: Record<string, string> = {}) => {
  const res = await get(url, headers);
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toContain('application/dicom+json');
  return res.json() as Json[];
};
const values = (rows: Json[], tag: string) => rows.map((r) => r[tag]?.Value?.[0]);
const studyUrl = () => `/dicomweb/studies/${s.a.studyInstanceUid}`;
const ctInstanceUrl = (k = 0) =>
  `${studyUrl()}/series/${s.ct.seriesInstanceUid}/instances/${s.ct.sopInstanceUids[k]}`;

describe('QIDO-RS', () => {
  it('lists studies with the required return attributes and computed counts', async () => {
    const rows = await json('/dicomweb/studies');
    expect(rows).toHaveLength(2);
    const a = rows.find((r) => r['0020000D']?.Value?.[0] === s.a.studyInstanceUid)!;
    expect(a['00201206']).toEqual({ vr: 'IS', Value: [3] });
    expect(a['00201208']).toEqual({ vr: 'IS', Value: [3 + 2 + 1] });
    expect(a['00080061']).toEqual({ vr: 'CS', Value: ['CT', 'OT'] });
    expect(a['00081190']?.Value?.[0]).toBe(`http://127.0.0.1:8080/dicomweb/studies/${s.a.studyInstanceUid}`);
    expect(a['00080050']?.Value?.[0]).toBe(s.a.accessionNumber);
    for (const tag of [
      '00080005',
      '00080020',
      '00080030',
      '00080090',
      '00100010',
      '00100020',
      '00100030',
      '00100040',
      '00200010',
    ]) {
      expect(a, tag).toHaveProperty(tag);
    }
  });

  it('matches patient names by wildcard and, with fuzzymatching, by any word in any case', async () => {
    const family = s.a.patient.name.family;
    expect(
      values(await json(`/dicomweb/studies?PatientName=${encodeURIComponent(`${family}*`)}`), '0020000D'),
    ).toEqual([s.a.studyInstanceUid]);
    expect(
      values(
        await json(
          `/dicomweb/studies?PatientName=${encodeURIComponent(`${family.slice(0, 2)}?${family.slice(3)}*`)}`,
        ),
        '0020000D',
      ),
    ).toEqual([s.a.studyInstanceUid]);
    const given = s.a.patient.name.given.toLowerCase();
    expect(
      values(
        await json(`/dicomweb/studies?PatientName=${encodeURIComponent(given)}&fuzzymatching=true`),
        '0020000D',
      ),
    ).toEqual([s.a.studyInstanceUid]);
    expect(await json(`/dicomweb/studies?PatientName=${encodeURIComponent(given)}`)).toEqual([]);
  });

  it('matches PatientID, AccessionNumber, StudyInstanceUID lists and the tag form', async () => {
    expect(
      values(await json(`/dicomweb/studies?PatientID=${encodeURIComponent(s.b.patient.id)}`), '0020000D'),
    ).toEqual([s.b.studyInstanceUid]);
    expect(values(await json(`/dicomweb/studies?00080050=${s.a.accessionNumber}`), '0020000D')).toEqual([
      s.a.studyInstanceUid,
    ]);
    const both = await json(
      `/dicomweb/studies?StudyInstanceUID=${s.a.studyInstanceUid},${s.b.studyInstanceUid}`,
    );
    expect(both).toHaveLength(2);
  });

  it('matches study date ranges: closed, open below, open above', async () => {
    const [da, db] = [s.a.studyDate, s.b.studyDate];
    const [lo, hi] = da < db ? [s.a, s.b] : [s.b, s.a];
    const uids = async (q: string) =>
      values(await json(`/dicomweb/studies?StudyDate=${q}`), '0020000D').sort();
    expect(await uids(`${lo.studyDate}-${lo.studyDate}`)).toEqual([lo.studyInstanceUid]);
    expect(await uids(`-${lo.studyDate}`)).toEqual([lo.studyInstanceUid]);
    expect(await uids(`${hi.studyDate}-`)).toEqual([hi.studyInstanceUid]);
    expect(await uids(`${lo.studyDate}-${hi.studyDate}`)).toEqual(
      [lo.studyInstanceUid, hi.studyInstanceUid].sort(),
    );
  });

  it('matches ModalitiesInStudy (and Modality at study level)', async () => {
    expect(values(await json('/dicomweb/studies?ModalitiesInStudy=MR'), '0020000D')).toEqual([
      s.b.studyInstanceUid,
    ]);
    expect(values(await json('/dicomweb/studies?Modality=CT'), '0020000D')).toEqual([s.a.studyInstanceUid]);
  });

  it('cuts a limit above the maximum and says so in a Warning header', async () => {
    const res = await get('/dicomweb/studies?limit=100000');
    expect(res.statusCode).toBe(200);
    expect(String(res.headers.warning)).toMatch(/^299 /);
    expect((await get('/dicomweb/studies?limit=10')).headers.warning).toBeUndefined();
  });

  it('pages with limit and offset', async () => {
    const all = values(await json('/dicomweb/studies'), '0020000D');
    expect(values(await json('/dicomweb/studies?limit=1'), '0020000D')).toEqual([all[0]]);
    expect(values(await json('/dicomweb/studies?limit=1&offset=1'), '0020000D')).toEqual([all[1]]);
    expect(await json('/dicomweb/studies?offset=2')).toEqual([]);
  });

  it('lists series of a study with counts, and all series by modality', async () => {
    const series = await json(`${studyUrl()}/series`);
    expect(values(series, '0020000E')).toEqual([
      s.ct.seriesInstanceUid,
      s.rle.seriesInstanceUid,
      s.multiframe.seriesInstanceUid,
    ]);
    expect(values(series, '00201209')).toEqual([3, 2, 1]);
    expect(series[0]!['00081190']?.Value?.[0]).toBe(
      `http://127.0.0.1:8080/dicomweb/studies/${s.a.studyInstanceUid}/series/${s.ct.seriesInstanceUid}`,
    );
    expect(values(await json('/dicomweb/series?Modality=MR'), '0020000E')).toEqual([s.mr.seriesInstanceUid]);
    expect(
      values(await json(`/dicomweb/series?SeriesInstanceUID=${s.rle.seriesInstanceUid}`), '0020000D'),
    ).toEqual([s.a.studyInstanceUid]);
  });

  it('lists instances at every scope, with includefield naming extra attributes', async () => {
    const inSeries = await json(
      `${studyUrl()}/series/${s.ct.seriesInstanceUid}/instances?includefield=ImagePositionPatient`,
    );
    expect(values(inSeries, '00080018')).toEqual(s.ct.sopInstanceUids);
    expect(values(inSeries, '00200013')).toEqual([1, 2, 3]);
    expect(inSeries[0]!['00280010']).toEqual({ vr: 'US', Value: [64] });
    expect(inSeries[0]!['00200032']?.Value).toHaveLength(3);
    expect(await json(`${studyUrl()}/instances`)).toHaveLength(6);
    expect(
      values(await json(`/dicomweb/instances?SOPInstanceUID=${s.mr.sopInstanceUids[1]}`), '0020000E'),
    ).toEqual([s.mr.seriesInstanceUid]);
    const mf = await json(`/dicomweb/instances?SeriesInstanceUID=${s.multiframe.seriesInstanceUid}`);
    expect(mf[0]!['00280008']?.Value?.[0]).toBe(4);
  });

  it('returns every indexed attribute with includefield=all', async () => {
    const [one] = await json(
      `${studyUrl()}/series/${s.ct.seriesInstanceUid}/instances?SOPInstanceUID=${s.ct.sopInstanceUids[0]}&includefield=all`,
    );
    expect(one).toHaveProperty('00281050');
    expect(one).toHaveProperty('00200037');
  });

  it('answers malformed parameters with 400 and a stable code, and unknown scopes with an empty list', async () => {
    const res = await get('/dicomweb/studies?StudyDate=yesterday');
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('QIDO_BAD_DATE');
    expect((await get('/dicomweb/studies?limit=abc')).json().error.code).toBe('QIDO_BAD_PAGING');
    expect(await json('/dicomweb/studies/1.2.3.4/series')).toEqual([]);
  });

  it('answers 406 when DICOM JSON is not acceptable', async () => {
    const res = await get('/dicomweb/studies', { accept: 'application/dicom+xml' });
    expect(res.statusCode).toBe(406);
  });
});

describe('WADO-RS metadata', () => {
  it('serves series metadata from the index, in instance order, without pixel data', async () => {
    const rows = await json(`${studyUrl()}/series/${s.ct.seriesInstanceUid}/metadata`);
    expect(values(rows, '00080018')).toEqual(s.ct.sopInstanceUids);
    // Pixel data only by reference, absolute per instance (relative URIs would resolve against the series URL).
    expect(rows[0]!['7FE00010']).toEqual({
      vr: 'OW',
      BulkDataURI: `http://127.0.0.1:8080${ctInstanceUrl(0)}/bulkdata/7FE00010`,
    });
    expect(rows[0]!['00100010']?.Value?.[0]).toEqual({
      Alphabetic: expect.stringContaining(s.a.patient.name.family),
    });
  });

  it('serves study and instance metadata, and 404 for an unknown series', async () => {
    expect((await json(`${ctInstanceUrl(1)}/metadata`))[0]!['00080018']?.Value).toEqual([
      s.ct.sopInstanceUids[1],
    ]);
    expect(await json(`${studyUrl()}/metadata`)).toHaveLength(6);
    expect(await json(`${ctInstanceUrl(1)}/metadata`)).toHaveLength(1);
    const res = await get(`${studyUrl()}/series/1.2.3/metadata`);
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe('SERIES_NOT_FOUND');
  });

  it('answers a matching If-None-Match with 304', async () => {
    const first = await get(`${studyUrl()}/series/${s.ct.seriesInstanceUid}/metadata`);
    const again = await get(`${studyUrl()}/series/${s.ct.seriesInstanceUid}/metadata`, {
      'if-none-match': String(first.headers.etag),
    });
    expect(again.statusCode).toBe(304);
  });
});

describe('WADO-RS instances', () => {
  it('retrieves an instance as multipart/related application/dicom with its stored bytes', async () => {
    const res = await get(ctInstanceUrl(0), { accept: 'multipart/related; type="application/dicom"' });
    expect(res.statusCode, res.body).toBe(200);
    const parts = parseMultipart(res.rawPayload, String(res.headers['content-type']));
    expect(parts).toHaveLength(1);
    expect(parts[0]!.headers['content-type']).toContain('application/dicom');
    expect(parts[0]!.body.equals(s.ct.files[0]!)).toBe(true);
    expect(res.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(res.headers.etag).toMatch(/^"[^"]+"$/);
  });

  it('retrieves a series and a study as multipart, every instance once', async () => {
    const series = await get(`${studyUrl()}/series/${s.rle.seriesInstanceUid}`, {
      accept: 'multipart/related; type="application/dicom"; transfer-syntax=*',
    });
    const parts = parseMultipart(series.rawPayload, String(series.headers['content-type']));
    expect(parts.map((p) => createHash('sha256').update(p.body).digest('hex'))).toEqual(
      s.rle.files.map((f) => createHash('sha256').update(f).digest('hex')),
    );
    const study = await get(studyUrl(), { accept: 'multipart/related; type="application/dicom"' });
    expect(parseMultipart(study.rawPayload, String(study.headers['content-type']))).toHaveLength(6);
  });

  it('answers 304 to a matching If-None-Match and 406 to a syntax it would have to transcode to', async () => {
    const first = await get(ctInstanceUrl(0));
    expect((await get(ctInstanceUrl(0), { 'if-none-match': String(first.headers.etag) })).statusCode).toBe(
      304,
    );
    const res = await get(`${studyUrl()}/series/${s.rle.seriesInstanceUid}`, {
      accept: 'multipart/related; type="application/dicom"; transfer-syntax=1.2.840.10008.1.2.4.50',
    });
    expect(res.statusCode).toBe(406);
  });
});

describe('WADO-RS frames', () => {
  const storedFrame = (file: Buffer, n: number) => {
    const parsed = parseInstance(file);
    const index = pixelIndexSchema.parse({
      v: 1,
      encapsulated: parsed.pixelData!.encapsulated,
      ranged: true,
      frames: parsed.pixelData!.frames.map((f) => f.fragments.flatMap((x) => [x.offset, x.length])),
    });
    return Buffer.concat(frameSpans(index, n).map((sp) => file.subarray(sp.offset, sp.offset + sp.length)));
  };

  it('serves native frames as octet-stream, byte for byte', async () => {
    const res = await get(`${ctInstanceUrl(2)}/frames/1`, {
      accept: 'multipart/related; type="application/octet-stream"',
    });
    expect(res.statusCode, res.body).toBe(200);
    const [part] = parseMultipart(res.rawPayload, String(res.headers['content-type']));
    expect(part!.body.equals(storedFrame(s.ct.files[2]!, 0))).toBe(true);
    expect(part!.body.length).toBe(64 * 64 * 2);
    // The multipart body is sent as its chunks, with their exact total as the length.
    expect(Number(res.headers['content-length'])).toBe(res.rawPayload.length);
    // One frame may also be asked for as a single part.
    const single = await get(`${ctInstanceUrl(2)}/frames/1`, { accept: 'application/octet-stream' });
    expect(single.headers['content-type']).toBe(
      'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1',
    );
    expect(single.rawPayload.equals(part!.body)).toBe(true);
    expect(
      (await get(`${ctInstanceUrl(2)}/frames/1,1`, { accept: 'application/octet-stream' })).statusCode,
    ).toBe(406);
  });

  it('serves several frames of a multi-frame instance in the order asked', async () => {
    const url = `${studyUrl()}/series/${s.multiframe.seriesInstanceUid}/instances/${s.multiframe.sopInstanceUids[0]}/frames/3,1`;
    const res = await get(url, {
      accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*',
    });
    const parts = parseMultipart(res.rawPayload, String(res.headers['content-type']));
    expect(parts).toHaveLength(2);
    expect(parts[0]!.body.equals(storedFrame(s.multiframe.files[0]!, 2))).toBe(true);
    expect(parts[1]!.body.equals(storedFrame(s.multiframe.files[0]!, 0))).toBe(true);
    expect(parts[0]!.body.length).toBe(32 * 32 * 2);
    expect(
      (
        await get(url.replace('3,1', '5'), {
          accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*',
        })
      ).statusCode,
    ).toBe(404);
  });

  it('serves RLE frames as stored with transfer-syntax=* and decoded for plain octet-stream', async () => {
    const url = `${studyUrl()}/series/${s.rle.seriesInstanceUid}/instances/${s.rle.sopInstanceUids[0]}/frames/1`;
    const stored = await get(url, {
      accept: 'multipart/related; type="application/octet-stream"; transfer-syntax=*',
    });
    const [raw] = parseMultipart(stored.rawPayload, String(stored.headers['content-type']));
    expect(raw!.headers['content-type']).toBe(
      'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.5',
    );
    const rle = await get(url, { accept: 'multipart/related; type="image/dicom-rle"' });
    expect(
      parseMultipart(rle.rawPayload, String(rle.headers['content-type']))[0]!.body.equals(raw!.body),
    ).toBe(true);
    const decoded = await get(url, { accept: 'multipart/related; type="application/octet-stream"' });
    const [native] = parseMultipart(decoded.rawPayload, String(decoded.headers['content-type']));
    expect(native!.headers['content-type']).toBe(
      'application/octet-stream; transfer-syntax=1.2.840.10008.1.2.1',
    );
    expect(
      Buffer.from(decodeRleFrame(raw!.body, { rows: 64, columns: 64, bitsAllocated: 16 })).equals(
        native!.body,
      ),
    ).toBe(true);
  });

  it('answers 406 for a media type that does not match the stored syntax, 400 for a bad frame list', async () => {
    const res = await get(`${ctInstanceUrl(0)}/frames/1`, { accept: 'multipart/related; type="image/jls"' });
    expect(res.statusCode).toBe(406);
    expect((await get(`${ctInstanceUrl(0)}/frames/0`)).json().error.code).toBe('BAD_FRAME_LIST');
  });

  it('gives frames a strong ETag, immutable caching and 304 on If-None-Match', async () => {
    const first = await get(`${ctInstanceUrl(0)}/frames/1`);
    expect(first.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    const again = await get(`${ctInstanceUrl(0)}/frames/1`, { 'if-none-match': String(first.headers.etag) });
    expect(again.statusCode).toBe(304);
    const other = await get(`${ctInstanceUrl(1)}/frames/1`);
    expect(other.headers.etag).not.toBe(first.headers.etag);
  });
});

describe('WADO-RS bulk data', () => {
  it('serves the pixel data the metadata references, frame by frame in the stored syntax', async () => {
    const [md] = await json(`${ctInstanceUrl(0)}/metadata`);
    const uri = (md!['7FE00010'] as unknown as { BulkDataURI: string }).BulkDataURI;
    const res = await get(uri.replace('http://127.0.0.1:8080', ''));
    expect(res.statusCode, res.body).toBe(200);
    const [part] = parseMultipart(res.rawPayload, String(res.headers['content-type']));
    const frame = await get(`${ctInstanceUrl(0)}/frames/1`);
    expect(
      part!.body.equals(parseMultipart(frame.rawPayload, String(frame.headers['content-type']))[0]!.body),
    ).toBe(true);
    expect((await get(`${ctInstanceUrl(0)}/bulkdata/00191099`)).statusCode).toBe(404);
    expect((await get(`${ctInstanceUrl(0)}/bulkdata/zz`)).json().error.code).toBe('BAD_BULKDATA_PATH');
  });
});

describe('WADO-RS rendered', () => {
  it('renders PNG and JPEG with window, viewport and quality', async () => {
    const png = await get(`${ctInstanceUrl(1)}/rendered?window=40,400,linear`, { accept: 'image/png' });
    expect(png.statusCode, png.body).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.rawPayload.subarray(1, 4).toString()).toBe('PNG');
    expect(png.rawPayload.readUInt32BE(16)).toBe(64);
    const small = await get(`${ctInstanceUrl(1)}/frames/1/rendered?viewport=32,32&window=40,400,sigmoid`, {
      accept: 'image/png',
    });
    expect(small.rawPayload.readUInt32BE(16)).toBe(32);
    const jpeg = await get(`${ctInstanceUrl(1)}/rendered?quality=50`);
    expect(jpeg.headers['content-type']).toBe('image/jpeg');
    expect(jpeg.rawPayload.subarray(0, 2).toString('hex')).toBe('ffd8');
    const rle = await get(
      `${studyUrl()}/series/${s.rle.seriesInstanceUid}/instances/${s.rle.sopInstanceUids[0]}/rendered`,
      { accept: 'image/png' },
    );
    expect(rle.statusCode).toBe(200);
  });

  it('refuses bad rendering parameters and unacceptable types', async () => {
    expect((await get(`${ctInstanceUrl(1)}/rendered?window=40,0`)).json().error.code).toBe(
      'RENDERED_BAD_PARAMETER',
    );
    expect((await get(`${ctInstanceUrl(1)}/rendered?quality=500`)).statusCode).toBe(400);
    expect((await get(`${ctInstanceUrl(1)}/rendered`, { accept: 'image/gif' })).statusCode).toBe(406);
  });
});

describe('access', () => {
  it('needs a token and a DICOMweb role', async () => {
    expect((await site.app.inject({ method: 'GET', url: '/dicomweb/studies' })).statusCode).toBe(401);
    const noRole = await site.token('ana', { roles: ['offline_access'] });
    const res = await site.app.inject({
      method: 'GET',
      url: '/dicomweb/studies',
      headers: { authorization: `Bearer ${noRole}` },
    });
    expect(res.statusCode).toBe(403);
  });

  it("answers the viewer origin's CORS preflight for the headers a viewer sends", async () => {
    const res = await site.app.inject({
      method: 'OPTIONS',
      url: `${ctInstanceUrl(0)}/frames/1`,
      headers: {
        origin: 'http://viewer.test',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'authorization,accept,if-none-match',
      },
    });
    expect(res.statusCode).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe('http://viewer.test');
    expect(String(res.headers['access-control-allow-headers']).toLowerCase()).toContain('authorization');
    const get1 = await get(`${ctInstanceUrl(0)}/frames/1`, { origin: 'http://viewer.test' });
    expect(String(get1.headers['access-control-expose-headers'])).toContain('ETag');
  });

  it('writes every PHI read to the audit log with database ids, never UIDs; pixel reads once per viewing episode', async () => {
    const admin = await site.auth('admin');
    const count = () => site.deps.prisma.auditEvent.count({ where: { action: 'dicomweb.read' } });
    const before = await count();
    await get(`${studyUrl()}/series/${s.ct.seriesInstanceUid}/metadata`, admin);
    await get(`${ctInstanceUrl(0)}/frames/1`, admin);
    expect(await count()).toBe(before + 2);
    // Scrolling on through the same study adds no row per frame; the episode's summary is written later.
    await get(`${ctInstanceUrl(1)}/frames/1`, admin);
    await get(`${ctInstanceUrl(2)}/frames/1`, admin);
    expect(await count()).toBe(before + 2);
    const events = await site.deps.prisma.auditEvent.findMany({
      where: { action: 'dicomweb.read' },
      orderBy: { id: 'asc' },
    });
    const mine = events.slice(before);
    expect(mine.map((e) => e.resource)).toEqual(mine.map(() => expect.stringMatching(/^(study|qido):/)));
    const text = JSON.stringify(mine.map((e) => ({ ...e, id: String(e.id) })));
    expect(text).not.toContain(s.a.studyInstanceUid);
    expect(text).not.toContain(s.ct.sopInstanceUids[0]);
    expect(mine.at(-1)!.roles).toContain('phi-viewer');
  });
});

describe('metadata after new instances arrive', () => {
  it('serves the new instance at once (the cached body is validated per request)', async () => {
    const url = `/dicomweb/studies/${s.b.studyInstanceUid}/metadata`;
    const before = await json(url);
    const extra = makeCtSeries({ study: s.b, slices: 1, rows: 16, cols: 16, seriesNumber: 9 });
    await ingestInstance(ingestContextOf(site.app), extra.files[0]!, { via: 'upload' });
    const after = await json(url);
    expect(after).toHaveLength(before.length + 1);
    expect(values(after, '00080018')).toContain(extra.sopInstanceUids[0]);
  });
});

describe('frames of a JPEG-LS instance (compressed by dcmtk)', () => {
  it('serves image/jls as stored, octet-stream decoded to the original pixels, and renders it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'annex-dicomweb-jls-'));
    try {
      writeFileSync(join(dir, 'in.dcm'), s.mr.files[0]!);
      execFileSync('dcmcjpls', ['+el', '+ua', join(dir, 'in.dcm'), join(dir, 'out.dcm')]);
      const jls = readFileSync(join(dir, 'out.dcm'));
      const parsed = parseInstance(jls);
      expect(parsed.transferSyntaxUid).toBe('1.2.840.10008.1.2.4.80');
      await ingestInstance(ingestContextOf(site.app), jls, { via: 'upload' });
      const url = `/dicomweb/studies/${s.b.studyInstanceUid}/series/${s.mr.seriesInstanceUid}/instances/${parsed.sopInstanceUid}/frames/1`;
      const stored = await get(url, { accept: 'multipart/related; type="image/jls"' });
      expect(stored.statusCode, stored.body).toBe(200);
      const [jlsPart] = parseMultipart(stored.rawPayload, String(stored.headers['content-type']));
      expect(jlsPart!.headers['content-type']).toBe('image/jls; transfer-syntax=1.2.840.10008.1.2.4.80');
      expect(jlsPart!.body.subarray(0, 2).toString('hex')).toBe('ffd8');
      const decoded = await get(url, { accept: 'multipart/related; type="application/octet-stream"' });
      const [native] = parseMultipart(decoded.rawPayload, String(decoded.headers['content-type']));
      const original = await get(
        `/dicomweb/studies/${s.b.studyInstanceUid}/series/${s.mr.seriesInstanceUid}/instances/${s.mr.sopInstanceUids[0]}/frames/1`,
      );
      expect(
        native!.body.equals(
          parseMultipart(original.rawPayload, String(original.headers['content-type']))[0]!.body,
        ),
      ).toBe(true);
      const png = await get(url.replace('/frames/1', '/rendered'), { accept: 'image/png' });
      expect(png.statusCode).toBe(200);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('frames of a deflated instance', () => {
  it('inflates the object once and serves its frames byte for byte', async () => {
    const deflated = makeCtSeries({
      study: s.b,
      slices: 1,
      rows: 32,
      cols: 32,
      seriesNumber: 7,
      transferSyntax: 'deflated',
    });
    const plain = makeCtSeries({ study: s.b, slices: 1, rows: 32, cols: 32, seriesNumber: 7 });
    await ingestInstance(ingestContextOf(site.app), deflated.files[0]!, { via: 'upload' });
    const url = `/dicomweb/studies/${s.b.studyInstanceUid}/series/${deflated.seriesInstanceUid}/instances/${deflated.sopInstanceUids[0]}/frames/1`;
    const res = await get(url, { accept: 'multipart/related; type="application/octet-stream"' });
    expect(res.statusCode, res.body).toBe(200);
    const [part] = parseMultipart(res.rawPayload, String(res.headers['content-type']));
    const p = parseInstance(plain.files[0]!);
    const frame = p.pixelData!.frames[0]!;
    expect(part!.body.equals(plain.files[0]!.subarray(frame.offset, frame.offset + frame.length))).toBe(true);
  });
});
