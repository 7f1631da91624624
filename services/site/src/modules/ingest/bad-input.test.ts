import { makeCtSeries } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { type IngestContext, ingestContextOf } from './context.ts';
import { IngestError } from './errors.ts';
import { ingestInstance } from './service.ts';

let site: TestSite;
let ctx: IngestContext;
beforeAll(async () => {
  site = await startTestSite({ INSTANCE_MAX_BYTES: String(256 * 1024) });
  ctx = ingestContextOf(site.app);
});
afterAll(async () => site?.close());

const good = makeCtSeries({ seed: 'bad-input-base', slices: 1, rows: 32, cols: 32 }).files[0]!;
const metaEnd = (file: Buffer) => 144 + file.readUInt32LE(140);

/** Replaces the first occurrence of `from` in the dataset (after the file meta group) with `to`. */
function patchDataset(file: Buffer, from: number[], to: number[]): Buffer {
  const out = Buffer.from(file);
  const at = out.indexOf(Buffer.from(from), metaEnd(out));
  if (at < 0) throw new Error('pattern not found');
  Buffer.from(to).copy(out, at);
  return out;
}

/** An element's tag renamed to a neighbour that means nothing here, i.e. the attribute is gone. */
const withoutTag = (file: Buffer, group: number, element: number, replacement: number) =>
  patchDataset(
    file,
    [group & 0xff, group >> 8, element & 0xff, element >> 8, 0x55, 0x49],
    [group & 0xff, group >> 8, replacement & 0xff, replacement >> 8, 0x55, 0x49],
  );

/** The file meta says implicit VR while the dataset is explicit VR (same length: NUL padding). */
function mislabelledImplicit(file: Buffer): Buffer {
  const out = Buffer.from(file);
  const explicit = Buffer.from('1.2.840.10008.1.2.1\0');
  const at = out.indexOf(explicit, 132);
  if (at < 0 || at > metaEnd(out)) throw new Error('meta transfer syntax not found');
  Buffer.from('1.2.840.10008.1.2\0\0\0').copy(out, at);
  return out;
}

const bad: Array<[string, Buffer, string]> = [
  [
    'bytes that are not DICOM',
    Buffer.from('%PDF-1.7 definitely not a DICOM file'.padEnd(300, '.')),
    'NOT_DICOM',
  ],
  ['an empty body', Buffer.alloc(0), 'NOT_DICOM'],
  ['a truncated file', good.subarray(0, Math.floor(good.length / 2)), 'TRUNCATED'],
  ['a file cut inside the meta header', good.subarray(0, 150), 'TRUNCATED'],
  ['a missing SOP Instance UID', withoutTag(good, 0x0008, 0x0018, 0x0019), 'MISSING_UID'],
  ['a missing Study Instance UID', withoutTag(good, 0x0020, 0x000d, 0x000c), 'MISSING_UID'],
  ['a missing Series Instance UID', withoutTag(good, 0x0020, 0x000e, 0x000f), 'MISSING_UID'],
  ['a transfer syntax that does not match the data', mislabelledImplicit(good), 'BAD_TRANSFER_SYNTAX'],
  [
    'an instance over INSTANCE_MAX_BYTES',
    Buffer.concat([good, Buffer.alloc(300 * 1024)]),
    'INSTANCE_TOO_LARGE',
  ],
];

async function snapshot() {
  let objects = 0;
  for await (const _ of site.deps.storage.list('instances/')) objects++;
  return {
    objects,
    instances: await site.deps.prisma.instance.count(),
    studies: await site.deps.prisma.study.count(),
    pending: await site.deps.prisma.pendingObject.count(),
  };
}

describe('bad input', () => {
  it.each(bad)('refuses %s with a stable code and leaves nothing behind', async (_what, bytes, code) => {
    const before = await snapshot();
    const error = await ingestInstance(ctx, bytes, { via: 'upload' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(IngestError);
    expect((error as IngestError).code).toBe(code);
    // The message names no attribute value (PHI): only tags, offsets and limits.
    expect((error as Error).message).not.toMatch(/[A-Z][a-z]+\^/);
    expect(await snapshot()).toEqual(before);
  });

  it('keeps serving good instances while bad ones are refused concurrently', async () => {
    const series = makeCtSeries({ seed: 'bad-input-neighbour', slices: 6, rows: 32, cols: 32 });
    const results = await Promise.allSettled([
      ...series.files.map((f) => ingestInstance(ctx, f, { via: 'stow' })),
      ...bad.map(([, bytes]) => ingestInstance(ctx, bytes, { via: 'stow' })),
    ]);
    const fulfilled = results.filter((r) => r.status === 'fulfilled');
    expect(fulfilled).toHaveLength(series.files.length);
    expect(
      await site.deps.prisma.instance.count({ where: { sopInstanceUid: { in: series.sopInstanceUids } } }),
    ).toBe(6);
    expect(await site.deps.prisma.pendingObject.count()).toBe(0);
  });

  it('answers bad parts of a STOW request with failure reasons and stores only the good part', async () => {
    const ok = makeCtSeries({ seed: 'bad-input-stow', slices: 1, rows: 16, cols: 16 });
    const boundary = 'bad-input-boundary';
    const parts = [ok.files[0]!, ...bad.slice(0, 8).map(([, b]) => b)];
    const payload = Buffer.concat([
      ...parts.flatMap((p) => [
        Buffer.from(`--${boundary}\r\nContent-Type: application/dicom\r\n\r\n`),
        p,
        Buffer.from('\r\n'),
      ]),
      Buffer.from(`--${boundary}--\r\n`),
    ]);
    const res = await site.app.inject({
      method: 'POST',
      url: '/dicomweb/studies',
      payload,
      headers: {
        ...(await site.auth('admin')),
        'content-type': `multipart/related; type="application/dicom"; boundary=${boundary}`,
      },
    });
    expect(res.statusCode).toBe(202);
    const failed = res.json()['00081198'].Value as Array<Record<string, { Value: number[] }>>;
    expect(failed.map((f) => f['00081197']!.Value[0])).toEqual(Array(8).fill(0xc000));
    expect(res.json()['00081199'].Value).toHaveLength(1);
  });
});
