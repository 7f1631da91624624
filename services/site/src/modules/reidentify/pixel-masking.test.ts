import {
  decodeFrameSync,
  decodeRleFrame,
  makeMultiframe,
  makeStudy,
  parseInstance,
  type SyntheticSeries,
  toGrey8,
  transcodeInstance,
} from '@annex/dicom';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { parseMultipart } from '../dicomweb/multipart.ts';
import { claimAll, projectWithTasks } from '../dicomweb/test-projects.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { ingestInstance } from '../ingest/service.ts';

let site: TestSite;
let native: SyntheticSeries;
let rle: SyntheticSeries;
let unmatched: SyntheticSeries;
let jpegLs: SyntheticSeries;
const JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80';
const RECT = { x: 2, y: 3, width: 10, height: 5 };
const TEMPLATE = {
  name: 'synthscan-32',
  manufacturer: 'Annex Synthetic Imaging',
  model: 'SynthScan 9000',
  rows: 32,
  columns: 32,
  rects: [RECT],
};

beforeAll(async () => {
  site = await startTestSite();
  const study = makeStudy('pixel-masking');
  // Multi-frame secondary capture: a burned-in text risk by SOP class.
  native = makeMultiframe({ study, frames: 2, rows: 32, cols: 32, seriesNumber: 1 });
  rle = makeMultiframe({ study, frames: 2, rows: 32, cols: 32, seriesNumber: 2, transferSyntax: 'rle' });
  unmatched = makeMultiframe({ study, frames: 1, rows: 16, cols: 16, seriesNumber: 3 });
  const ls = makeMultiframe({ study, frames: 2, rows: 32, cols: 32, seriesNumber: 4 });
  jpegLs = { ...ls, files: [await transcodeInstance(ls.files[0]!, JPEG_LS_LOSSLESS)] };
  const ctx = ingestContextOf(site.app);
  for (const s of [native, rle, unmatched, jpegLs])
    for (const f of s.files) await ingestInstance(ctx, f, { via: 'upload' });
  // Ana reads the study through the task assigned to her (the unscoped root, site-wide masking policy).
  expect(await claimAll(site, 'ana', await projectWithTasks(site, 'masking', [study.studyInstanceUid]))).toBe(
    1,
  );
});
afterAll(async () => site?.close());

const admin = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) =>
  site.app.inject({ method, url, headers: await site.auth('admin'), ...(payload ? { payload } : {}) });

/** What an annotator gets for one instance, at the de-identified UIDs it is shown. */
async function annotatorGets(series: SyntheticSeries, suffix = '', accept?: string) {
  const d = (uid: string) => site.app.annotatorView.uids.deid(uid);
  return site.app.inject({
    method: 'GET',
    url: `/dicomweb/studies/${d(series.study.studyInstanceUid)}/series/${d(series.seriesInstanceUid)}/instances/${d(series.sopInstanceUids[0]!)}${suffix}`,
    headers: { ...(await site.auth('ana')), ...(accept ? { accept } : {}) },
  });
}

const inRect = (i: number, columns: number) => {
  const x = i % columns;
  const y = Math.floor(i / columns);
  return x >= RECT.x && x < RECT.x + RECT.width && y >= RECT.y && y < RECT.y + RECT.height;
};

function expectMasked(served: Buffer, original: Buffer, frames: number) {
  const got = parseInstance(served);
  const want = parseInstance(original);
  expect(got.transferSyntaxUid).toBe(want.transferSyntaxUid);
  for (let f = 0; f < frames; f++) {
    const a = decodeFrameSync(got, f).pixels;
    const b = decodeFrameSync(want, f).pixels;
    expect(a.length).toBe(b.length);
    let inside = 0;
    let originalInsideNonZero = 0;
    for (let i = 0; i < b.length; i++) {
      if (inRect(i, 32)) {
        inside++;
        if (b[i] !== 0) originalInsideNonZero++;
        expect(a[i], `frame ${f} pixel ${i}`).toBe(0);
      } else {
        expect(a[i], `frame ${f} pixel ${i}`).toBe(b[i]);
      }
    }
    expect(inside).toBe(RECT.width * RECT.height);
    // Otherwise zeros inside would prove nothing.
    expect(originalInsideNonZero).toBeGreaterThan(0);
  }
}

describe('pixel masking of burned-in-risk instances for annotators', () => {
  it('refuses them while masking is off, even with a matching template', async () => {
    expect((await admin('POST', '/api/admin/mask-templates', TEMPLATE)).statusCode).toBe(201);
    const res = await annotatorGets(native);
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('BURNED_IN_RISK');
  });

  it('serves a matched native instance masked: zeros exactly inside the rectangle, other pixels unchanged', async () => {
    expect((await admin('PUT', '/api/admin/pixel-masking', { enabled: true })).json()).toEqual({
      enabled: true,
    });
    const res = await annotatorGets(native);
    expect(res.statusCode, res.body).toBe(200);
    const [part] = parseMultipart(res.rawPayload, String(res.headers['content-type']));
    expectMasked(Buffer.from(part!.body), native.files[0]!, 2);
  });

  it('serves a matched RLE instance masked and re-encoded as RLE', async () => {
    const res = await annotatorGets(rle);
    expect(res.statusCode, res.body).toBe(200);
    const [part] = parseMultipart(res.rawPayload, String(res.headers['content-type']));
    expectMasked(Buffer.from(part!.body), rle.files[0]!, 2);
  });

  it('masks JPEG-LS lossless through the codecs and re-encodes it losslessly', async () => {
    const res = await annotatorGets(jpegLs);
    expect(res.statusCode, res.body).toBe(200);
    const [part] = parseMultipart(res.rawPayload, String(res.headers['content-type']));
    expect(parseInstance(Buffer.from(part!.body)).transferSyntaxUid).toBe(JPEG_LS_LOSSLESS);
    expectMasked(Buffer.from(part!.body), jpegLs.files[0]!, 2);
  });

  it("refuses a matched instance in a lossy syntax with the engine's typed reason", async () => {
    const row = await site.deps.prisma.instance.findUniqueOrThrow({
      where: { sopInstanceUid: native.sopInstanceUids[0]! },
    });
    const metadata = row.metadata as unknown as Parameters<
      typeof site.app.annotatorView.siteView.instanceRefusal
    >[0];
    expect(site.app.annotatorView.siteView.instanceRefusal(metadata, row.transferSyntaxUid)).toEqual([]);
    const lossy = site.app.annotatorView.siteView.instanceRefusal(metadata, '1.2.840.10008.1.2.4.50');
    expect(lossy).toContain('DEID_PIXEL_MASKING_UNSUPPORTED');
    expect(lossy).toContain('secondary-capture');
  });

  it('serves the frames of a masked instance from the masked copy, as native pixels', async () => {
    for (const series of [native, rle]) {
      const res = await annotatorGets(
        series,
        '/frames/1,2',
        'multipart/related; type="application/octet-stream"',
      );
      expect(res.statusCode, res.body).toBe(200);
      const parts = parseMultipart(res.rawPayload, String(res.headers['content-type']));
      expect(parts).toHaveLength(2);
      const original = parseInstance(series.files[0]!);
      parts.forEach((part, f) => {
        const got = new Uint16Array(Uint8Array.from(part.body).buffer);
        const want = decodeFrameSync(original, f).pixels;
        for (let i = 0; i < want.length; i++) expect(got[i], `pixel ${i}`).toBe(inRect(i, 32) ? 0 : want[i]);
      });
    }
  });

  it('still refuses a burned-in-risk instance no template fits, whatever is asked of it', async () => {
    for (const url of ['', '/frames/1', '/rendered', '/bulkdata/7FE00010']) {
      const res = await annotatorGets(unmatched, url);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().error.code).toBe('BURNED_IN_RISK');
    }
  });

  it('renders a masked instance from the masked copy: the rectangle at the lowest grey, the rest as the original renders', async () => {
    const original = decodeFrameSync(parseInstance(native.files[0]!), 1);
    // A window from the stored value 0 (what the mask writes) to the frame's maximum, so the mask is black.
    const low = original.rescaleIntercept;
    let max = 0;
    for (const v of original.pixels) max = Math.max(max, v);
    const high = max * original.rescaleSlope + original.rescaleIntercept;
    const window = { windowCenter: (low + high) / 2, windowWidth: high - low };
    const res = await annotatorGets(
      native,
      `/frames/2/rendered?window=${window.windowCenter},${window.windowWidth}`,
      'image/png',
    );
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toBe('image/png');
    const png = PNG.sync.read(res.rawPayload);
    expect([png.width, png.height]).toEqual([32, 32]);
    const unmasked = toGrey8(original, window);
    const masked = toGrey8(
      { ...original, pixels: original.pixels.map((v, i) => (inRect(i, 32) ? 0 : v)) },
      window,
    );
    let visibleBefore = 0;
    for (let i = 0; i < 32 * 32; i++) {
      const grey = png.data[i * 4]!;
      if (inRect(i, 32)) {
        expect(grey, `pixel ${i}`).toBe(0);
        if (unmasked[i]! > 0) visibleBefore++;
      } else {
        expect(grey, `pixel ${i}`).toBe(unmasked[i]);
      }
      expect(grey).toBe(masked[i]);
    }
    // The rectangle showed something before masking, so the zeros above are the mask's doing.
    expect(visibleBefore).toBeGreaterThan(0);
  });

  it('serves the pixel bulk data of a masked instance from the masked copy, in its stored syntax', async () => {
    for (const series of [native, rle]) {
      const res = await annotatorGets(series, '/bulkdata/7FE00010');
      expect(res.statusCode, res.body).toBe(200);
      const parts = parseMultipart(res.rawPayload, String(res.headers['content-type']));
      expect(parts).toHaveLength(2);
      const original = parseInstance(series.files[0]!);
      parts.forEach((part, f) => {
        expect(part.headers['content-type']).toContain(`transfer-syntax=${original.transferSyntaxUid}`);
        const bytes =
          series === rle
            ? decodeRleFrame(Buffer.from(part.body), {
                rows: 32,
                columns: 32,
                bitsAllocated: 16,
                samplesPerPixel: 1,
              })
            : Uint8Array.from(part.body);
        const got = new Uint16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 2);
        const want = decodeFrameSync(original, f).pixels;
        expect(got.length).toBe(want.length);
        for (let i = 0; i < want.length; i++) expect(got[i], `pixel ${i}`).toBe(inRect(i, 32) ? 0 : want[i]);
      });
    }
  });

  it('lets only site admins manage templates, and a deleted template stops masking at once', async () => {
    const ana = await site.app.inject({
      method: 'GET',
      url: '/api/admin/mask-templates',
      headers: await site.auth('ana'),
    });
    expect(ana.statusCode).toBe(403);
    const { items } = (await admin('GET', '/api/admin/mask-templates')).json() as {
      items: Array<{ id: string }>;
    };
    expect(items).toHaveLength(1);
    const id = items[0]!.id;
    const moved = await admin('PUT', `/api/admin/mask-templates/${id}`, {
      ...TEMPLATE,
      rows: 64,
      columns: 64,
    });
    expect(moved.json()).toMatchObject({ id, rows: 64 });
    expect((await annotatorGets(native)).statusCode).toBe(403);
    expect((await admin('PUT', `/api/admin/mask-templates/${id}`, TEMPLATE)).statusCode).toBe(200);
    expect((await annotatorGets(native)).statusCode).toBe(200);
    expect((await admin('DELETE', `/api/admin/mask-templates/${id}`)).statusCode).toBe(204);
    expect((await annotatorGets(native)).statusCode).toBe(403);
    expect((await admin('DELETE', `/api/admin/mask-templates/${id}`)).statusCode).toBe(404);
    const audited = await site.deps.prisma.auditEvent.findMany({
      where: { action: { startsWith: 'pixel-masking.' } },
    });
    expect(audited.map((a) => a.action)).toEqual(
      expect.arrayContaining([
        'pixel-masking.template-created',
        'pixel-masking.enabled',
        'pixel-masking.template-deleted',
      ]),
    );
  });
});
