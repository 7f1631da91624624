import { makeCtSeries, makeMrSeries } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../../test/app.ts';

let site: TestSite;
beforeAll(async () => {
  site = await startTestSite({
    UPLOAD_MAX_BYTES: String(2 * 1024 * 1024),
    INSTANCE_MAX_BYTES: String(1024 * 1024),
  });
});
afterAll(async () => site?.close());

const BOUNDARY = 'stow-test-boundary-1';
function multipart(parts: Array<Buffer | { type: string; body: Buffer }>): Buffer {
  const out: Buffer[] = [];
  for (const part of parts) {
    const { type, body } = Buffer.isBuffer(part) ? { type: 'application/dicom', body: part } : part;
    out.push(Buffer.from(`--${BOUNDARY}\r\nContent-Type: ${type}\r\n\r\n`), body, Buffer.from('\r\n'));
  }
  out.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  return Buffer.concat(out);
}
const contentType = `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`;

async function stow(url: string, payload: Buffer, user = 'admin', type = contentType) {
  return site.app.inject({
    method: 'POST',
    url,
    payload,
    headers: { ...(await site.auth(user)), 'content-type': type },
  });
}

type Item = Record<string, { Value: unknown[] }>;
const seq = (body: Record<string, { Value?: Item[] }>, tag: string) => body[tag]?.Value ?? [];

describe('STOW-RS', () => {
  it('stores every instance of a request and answers 200 with ReferencedSOPSequence and RetrieveURLs', async () => {
    const ct = makeCtSeries({ seed: 'stow-ok', slices: 3, rows: 32, cols: 32 });
    const res = await stow('/dicomweb/studies', multipart(ct.files));
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('application/dicom+json');
    const body = res.json();
    expect(body['00081190'].Value[0]).toBe(
      `http://127.0.0.1:8080/dicomweb/studies/${ct.study.studyInstanceUid}`,
    );
    const referenced = seq(body, '00081199');
    expect(referenced.map((i) => i['00081155']!.Value[0])).toEqual(ct.sopInstanceUids);
    expect(String(referenced[0]!['00081190']!.Value[0])).toContain(`/instances/${ct.sopInstanceUids[0]}`);
    expect(
      await site.deps.prisma.instance.count({ where: { sopInstanceUid: { in: ct.sopInstanceUids } } }),
    ).toBe(3);
  });

  it('answers 202 and refuses, with 0xA900, an instance of another study than /studies/{study} names', async () => {
    const ct = makeCtSeries({ seed: 'stow-target', slices: 1, rows: 16, cols: 16 });
    const other = makeMrSeries({ seed: 'stow-other', slices: 1, rows: 16, cols: 16 });
    const res = await stow(
      `/dicomweb/studies/${ct.study.studyInstanceUid}`,
      multipart([ct.files[0]!, other.files[0]!]),
    );
    expect(res.statusCode).toBe(202);
    const failed = seq(res.json(), '00081198');
    expect(failed).toHaveLength(1);
    expect(failed[0]!['00081155']!.Value).toEqual([other.sopInstanceUids[0]]);
    expect(failed[0]!['00081197']!.Value).toEqual([0xa900]);
    expect(
      await site.deps.prisma.instance.count({ where: { sopInstanceUid: other.sopInstanceUids[0]! } }),
    ).toBe(0);
  });

  it('answers 409 with 0xC000 when no part is DICOM, leaving nothing stored', async () => {
    const before = await site.deps.prisma.instance.count();
    const res = await stow('/dicomweb/studies', multipart([Buffer.from('not dicom'), Buffer.alloc(200)]));
    expect(res.statusCode).toBe(409);
    expect(seq(res.json(), '00081198').map((f) => f['00081197']!.Value[0])).toEqual([0xc000, 0xc000]);
    expect(await site.deps.prisma.instance.count()).toBe(before);
    expect(await site.deps.prisma.pendingObject.count()).toBe(0);
  });

  it('treats an identical re-send as stored and different bytes under the same UID as 0x0111', async () => {
    const ct = makeCtSeries({ seed: 'stow-resend', slices: 1, rows: 16, cols: 16 });
    expect((await stow('/dicomweb/studies', multipart(ct.files))).statusCode).toBe(200);
    expect((await stow('/dicomweb/studies', multipart(ct.files))).statusCode).toBe(200);
    const altered = Buffer.from(ct.files[0]!);
    altered[altered.length - 1]! ^= 1;
    const res = await stow('/dicomweb/studies', multipart([altered]));
    expect(res.statusCode).toBe(409);
    expect(seq(res.json(), '00081198')[0]!['00081197']!.Value).toEqual([0x0111]);
  });

  it('refuses a request that is not multipart/related of application/dicom with 415', async () => {
    const res = await stow(
      '/dicomweb/studies',
      Buffer.from('{}'),
      'admin',
      'multipart/related; type="application/dicom+json"; boundary=x',
    );
    expect(res.statusCode).toBe(415);
    expect(res.json().error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('refuses an oversized request with 413 and keeps serving', async () => {
    const big = multipart([Buffer.alloc(1536 * 1024), Buffer.alloc(1024 * 1024)]);
    const res = await stow('/dicomweb/studies', big);
    expect(res.statusCode).toBe(413);
    expect(res.json().error.code).toBe('PAYLOAD_TOO_LARGE');
    const ct = makeCtSeries({ seed: 'stow-after-413', slices: 1, rows: 16, cols: 16 });
    expect((await stow('/dicomweb/studies', multipart(ct.files))).statusCode).toBe(200);
  });

  it('refuses a truncated multipart body with MULTIPART_MALFORMED', async () => {
    const ct = makeCtSeries({ seed: 'stow-truncated', slices: 1, rows: 16, cols: 16 });
    const body = multipart(ct.files);
    const res = await stow('/dicomweb/studies', body.subarray(0, body.length - 40));
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('MULTIPART_MALFORMED');
  });

  it('is refused to annotators', async () => {
    const ct = makeCtSeries({ seed: 'stow-forbidden', slices: 1, rows: 16, cols: 16 });
    const res = await stow('/dicomweb/studies', multipart(ct.files), 'ana');
    expect(res.statusCode).toBe(403);
  });
});
