import { randomBytes } from 'node:crypto';
import { makeCtSeries, makeMrSeries } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { makeZip } from './zip-fixture.ts';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({
    UPLOAD_MAX_BYTES: String(8 * 1024 * 1024),
    ZIP_MAX_ENTRIES: '50',
    ZIP_MAX_TOTAL_BYTES: String(5 * 1024 * 1024),
    ZIP_MAX_RATIO: '200',
  });
});
afterAll(async () => site?.close());

async function upload(payload: Buffer, type = 'application/zip', user = 'admin') {
  return site.app.inject({
    method: 'POST',
    url: '/api/uploads',
    payload,
    headers: { ...(await site.auth(user)), 'content-type': type },
  });
}

async function finished(id: string, user = 'admin') {
  for (let i = 0; i < 200; i++) {
    const res = await site.app.inject({
      method: 'GET',
      url: `/api/uploads/${id}`,
      headers: await site.auth(user),
    });
    const body = res.json();
    if (body.status === 'done' || body.status === 'failed') return body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('upload did not finish');
}

const objectCount = async () => {
  let n = 0;
  for await (const _ of site.deps.storage.list('instances/')) n++;
  return n;
};

describe('uploads', () => {
  it('ingests a zip entry by entry and reports progress and per-file outcomes by index and base name', async () => {
    const ct = makeCtSeries({ seed: 'upload-zip', slices: 3, rows: 32, cols: 32 });
    const zip = makeZip([
      ...ct.files.map((data, i) => ({ name: `DOE^JOHN/series 1/IM${i}.dcm`, data })),
      { name: 'notes/readme.txt', data: Buffer.from('not an image') },
      { name: 'inner.zip', data: makeZip([{ name: 'x.dcm', data: ct.files[0]! }]) },
      { name: 'again/IM0.dcm', data: ct.files[0]! },
    ]);
    const res = await upload(zip);
    expect(res.statusCode).toBe(202);
    expect(res.json().totalEntries).toBe(6);
    const done = await finished(res.json().id);
    expect(done).toMatchObject({
      status: 'done',
      kind: 'zip',
      totalEntries: 6,
      processedEntries: 6,
      stored: 3,
      duplicates: 1,
      failed: 2,
    });
    expect(done.files.map((f: { name: string; outcome: string }) => [f.name, f.outcome])).toEqual([
      ['IM0.dcm', 'STORED'],
      ['IM1.dcm', 'STORED'],
      ['IM2.dcm', 'STORED'],
      ['readme.txt', 'NOT_DICOM'],
      ['inner.zip', 'NESTED_ARCHIVE_SKIPPED'],
      ['IM0.dcm', 'DUPLICATE'],
    ]);
    expect(
      await site.deps.prisma.instance.count({ where: { sopInstanceUid: { in: ct.sopInstanceUids } } }),
    ).toBe(3);
  });

  it('ingests a single DICOM file sent as application/dicom and as a form upload', async () => {
    const mr = makeMrSeries({ seed: 'upload-single', slices: 2, rows: 16, cols: 16 });
    const raw = await upload(mr.files[0]!, 'application/dicom');
    expect(raw.statusCode).toBe(202);
    expect(await finished(raw.json().id)).toMatchObject({ status: 'done', kind: 'dicom', stored: 1 });

    const boundary = 'form-boundary-1';
    const form = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slice.dcm"\r\nContent-Type: application/dicom\r\n\r\n`,
      ),
      mr.files[1]!,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const viaForm = await upload(form, `multipart/form-data; boundary=${boundary}`);
    expect(viaForm.statusCode).toBe(202);
    const done = await finished(viaForm.json().id);
    expect(done.files).toEqual([expect.objectContaining({ name: 'slice.dcm', outcome: 'STORED' })]);
  });

  it('refuses a zip bomb (expansion ratio) before storing anything', async () => {
    const before = await objectCount();
    const ct = makeCtSeries({ seed: 'upload-bomb', slices: 1, rows: 16, cols: 16 });
    const zip = makeZip([
      { name: 'ok.dcm', data: ct.files[0]! },
      { name: 'zeros.dcm', data: Buffer.alloc(4 * 1024 * 1024) },
    ]);
    const res = await upload(zip);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('ZIP_RATIO_EXCEEDED');
    expect(await objectCount()).toBe(before);
    expect(await site.deps.prisma.instance.count({ where: { sopInstanceUid: ct.sopInstanceUids[0]! } })).toBe(
      0,
    );
  });

  it('refuses archives over the entry count or total size caps', async () => {
    const many = makeZip(Array.from({ length: 51 }, (_, i) => ({ name: `f${i}`, data: Buffer.from('x') })));
    const tooMany = await upload(many);
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json().error.code).toBe('ZIP_TOO_MANY_ENTRIES');
    const big = makeZip(
      Array.from({ length: 3 }, (_, i) => ({
        name: `r${i}`,
        data: randomBytes(2 * 1024 * 1024),
        deflate: false,
      })),
    );
    const tooBig = await upload(big);
    expect(tooBig.json().error.code).toBe('ZIP_TOO_LARGE');
  });

  it('refuses an archive with a path traversal name, without echoing the name', async () => {
    const ct = makeCtSeries({ seed: 'upload-traversal', slices: 1, rows: 16, cols: 16 });
    const res = await upload(makeZip([{ name: '../../etc/SMITH^JANE.dcm', data: ct.files[0]! }]));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('ZIP_UNSAFE_PATH');
    expect(res.body).not.toContain('SMITH');
    expect(await site.deps.prisma.instance.count({ where: { sopInstanceUid: ct.sopInstanceUids[0]! } })).toBe(
      0,
    );
  });

  it('does not trust declared sizes: an entry inflating past its declared size is refused', async () => {
    const ct = makeCtSeries({ seed: 'upload-liar', slices: 1, rows: 64, cols: 64 });
    const res = await upload(makeZip([{ name: 'liar.dcm', data: ct.files[0]!, declaredSize: 1000 }]));
    const done = await finished(res.json().id);
    expect(done.files[0].outcome).toBe('ZIP_ENTRY_CORRUPT');
    expect(await site.deps.prisma.instance.count({ where: { sopInstanceUid: ct.sopInstanceUids[0]! } })).toBe(
      0,
    );
    expect(await site.deps.prisma.pendingObject.count()).toBe(0);
  });

  it('refuses an oversized request with 413 and keeps serving', async () => {
    const res = await upload(Buffer.alloc(9 * 1024 * 1024));
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const ok = await upload(
      makeCtSeries({ seed: 'upload-after', slices: 1, rows: 16, cols: 16 }).files[0]!,
      'application/dicom',
    );
    expect(ok.statusCode).toBe(202);
  });

  it('shows an upload to its uploader and site admins only', async () => {
    // A PACS gateway account with the ingest role uploads; another ingest account may not look.
    const gateway = `Bearer ${await site.token('ben', { roles: ['ingest'] })}`;
    const res = await site.app.inject({
      method: 'POST',
      url: '/api/uploads',
      payload: makeCtSeries({ seed: 'upload-owner', slices: 1, rows: 16, cols: 16 }).files[0]!,
      headers: { authorization: gateway, 'content-type': 'application/dicom' },
    });
    expect(res.statusCode).toBe(202);
    const id = res.json().id;
    await finished(id);
    const own = await site.app.inject({
      method: 'GET',
      url: `/api/uploads/${id}`,
      headers: { authorization: gateway },
    });
    expect(own.json().stored).toBe(1);
    const otherGateway = `Bearer ${await site.token('cleo', { roles: ['ingest'] })}`;
    const other = await site.app.inject({
      method: 'GET',
      url: `/api/uploads/${id}`,
      headers: { authorization: otherGateway },
    });
    expect(other.statusCode).toBe(404);
    const annotator = await site.app.inject({
      method: 'GET',
      url: `/api/uploads/${id}`,
      headers: await site.auth('ana'),
    });
    expect(annotator.statusCode).toBe(403);
  });
});
