import { makeCtSeries, makeMrSeries, makeMultiframe, parseInstance } from '@annex/dicom';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { type IngestContext, ingestContextOf } from './context.ts';
import { IngestError } from './errors.ts';
import { frameSpans, pixelIndexSchema } from './pixel-index.ts';
import { ingestInstance } from './service.ts';

let site: TestSite;
let ctx: IngestContext;
beforeAll(async () => {
  site = await startTestSite();
  ctx = ingestContextOf(site.app);
});
afterAll(async () => site?.close());

async function objectKeys(): Promise<string[]> {
  const keys: string[] = [];
  for await (const o of site.deps.storage.list('instances/')) keys.push(o.key);
  return keys;
}

describe('ingestInstance', () => {
  it('indexes a CT series under random object keys, with DICOM JSON metadata and frame ranges', async () => {
    const ct = makeCtSeries({ seed: 'ingest-ct', slices: 4, rows: 64, cols: 64 });
    const outcomes = [];
    for (const file of ct.files) outcomes.push(await ingestInstance(ctx, file, { via: 'upload' }));
    expect(outcomes.map((o) => o.status)).toEqual(['stored', 'stored', 'stored', 'stored']);

    const series = await site.deps.prisma.series.findUniqueOrThrow({
      where: { seriesInstanceUid: ct.seriesInstanceUid },
      include: { instances: true, study: { include: { patient: true } } },
    });
    expect(series.instances).toHaveLength(4);
    expect(series.modality).toBe('CT');
    expect(series.study.studyInstanceUid).toBe(ct.study.studyInstanceUid);
    expect(series.study.patient.patientId).toBe(ct.study.patient.id);
    expect(series.study.patient.issuer).toBe(ct.study.patient.issuerOfId);
    expect(await site.deps.prisma.pendingObject.count()).toBe(0);

    const instance = series.instances.find((i) => i.sopInstanceUid === ct.sopInstanceUids[2])!;
    // Keys say nothing about the study: no UID, no patient value.
    expect(instance.objectKey).toMatch(/^instances\/[0-9a-f]{2}\/[0-9a-f-]{36}\.dcm$/);
    const metadata = instance.metadata as Record<
      string,
      { Value?: unknown[]; BulkDataURI?: string; InlineBinary?: string }
    >;
    expect(metadata['00080018']?.Value).toEqual([ct.sopInstanceUids[2]]);
    // Pixel data is referenced, never inlined: the whole metadata is smaller than one frame.
    expect(metadata['7FE00010']).toEqual({ vr: 'OW', BulkDataURI: 'bulkdata/7FE00010' });
    expect(JSON.stringify(metadata).length).toBeLessThan(64 * 64 * 2);

    // The frame range points at the pixel bytes of the stored object.
    const index = pixelIndexSchema.parse(instance.pixelData);
    expect(index.frames).toHaveLength(1);
    const [span] = frameSpans(index, 0);
    expect(span!.length).toBe(64 * 64 * 2);
    const frame = await site.deps.storage.getRange(instance.objectKey, span!.offset, span!.length);
    const parsed = parseInstance(ct.files[2]!);
    const pixels = parsed.pixelData!.frames[0]!;
    expect(frame.equals(ct.files[2]!.subarray(pixels.offset, pixels.offset + pixels.length))).toBe(true);
  });

  it('answers the same bytes twice with one row and no second object', async () => {
    const ct = makeCtSeries({ seed: 'ingest-dup', slices: 1, rows: 32, cols: 32 });
    const first = await ingestInstance(ctx, ct.files[0]!, { via: 'stow' });
    const before = (await objectKeys()).length;
    const second = await ingestInstance(ctx, ct.files[0]!, { via: 'dimse' });
    expect(first.status).toBe('stored');
    expect(second.status).toBe('duplicate');
    expect(second.instanceId).toBe(first.instanceId);
    expect((await objectKeys()).length).toBe(before);
    expect(await site.deps.prisma.instance.count({ where: { sopInstanceUid: ct.sopInstanceUids[0]! } })).toBe(
      1,
    );
  });

  it('converges when the same instance arrives on several doors at once', async () => {
    const ct = makeCtSeries({ seed: 'ingest-race', slices: 1, rows: 32, cols: 32 });
    const before = (await objectKeys()).length;
    const outcomes = await Promise.all(
      (['dimse', 'stow', 'upload', 'dimse'] as const).map((via) =>
        ingestInstance(ctx, ct.files[0]!, { via }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'stored')).toHaveLength(1);
    expect(new Set(outcomes.map((o) => o.instanceId)).size).toBe(1);
    expect((await objectKeys()).length).toBe(before + 1);
    expect(await site.deps.prisma.pendingObject.count()).toBe(0);
  });

  it('records different bytes under a known SOP Instance UID as a conflict and keeps both objects', async () => {
    const ct = makeCtSeries({ seed: 'ingest-conflict', slices: 1, rows: 32, cols: 32 });
    const original = ct.files[0]!;
    const altered = Buffer.from(original);
    altered[altered.length - 1]! ^= 0xff;
    const first = await ingestInstance(ctx, original, { via: 'upload' });
    const second = await ingestInstance(ctx, altered, { via: 'upload' });
    expect(second.status).toBe('conflict');
    expect(second.instanceId).toBe(first.instanceId);
    const conflict = await site.deps.prisma.ingestConflict.findUniqueOrThrow({
      where: { id: second.conflictId! },
    });
    expect(conflict.existingSha256).not.toBe(conflict.newSha256);
    expect((await site.deps.storage.getBuffer(conflict.objectKey)).equals(altered)).toBe(true);
    const instance = await site.deps.prisma.instance.findUniqueOrThrow({ where: { id: first.instanceId } });
    expect((await site.deps.storage.getBuffer(instance.objectKey)).equals(original)).toBe(true);
  });

  it('indexes RLE, deflated, implicit and multi-frame objects as received', async () => {
    const rle = makeMrSeries({ seed: 'ingest-rle', slices: 2, rows: 32, cols: 32, transferSyntax: 'rle' });
    const deflated = makeCtSeries({
      seed: 'ingest-deflated',
      slices: 1,
      rows: 32,
      cols: 32,
      transferSyntax: 'deflated',
    });
    const implicit = makeCtSeries({
      seed: 'ingest-implicit',
      slices: 1,
      rows: 32,
      cols: 32,
      transferSyntax: 'implicit',
    });
    const multi = makeMultiframe({ seed: 'ingest-multi', frames: 5, rows: 32, cols: 32 });
    for (const file of [...rle.files, ...deflated.files, ...implicit.files, ...multi.files]) {
      expect((await ingestInstance(ctx, file, { via: 'upload' })).status).toBe('stored');
    }
    const rleRow = await site.deps.prisma.instance.findUniqueOrThrow({
      where: { sopInstanceUid: rle.sopInstanceUids[0]! },
    });
    expect(rleRow.transferSyntaxUid).toBe('1.2.840.10008.1.2.5');
    expect(pixelIndexSchema.parse(rleRow.pixelData)).toMatchObject({ encapsulated: true, ranged: true });
    const stored = await site.deps.storage.getBuffer(rleRow.objectKey);
    expect(stored.equals(rle.files[0]!)).toBe(true);
    const deflatedRow = await site.deps.prisma.instance.findUniqueOrThrow({
      where: { sopInstanceUid: deflated.sopInstanceUids[0]! },
    });
    expect(pixelIndexSchema.parse(deflatedRow.pixelData).ranged).toBe(false);
    const multiRow = await site.deps.prisma.instance.findUniqueOrThrow({
      where: { sopInstanceUid: multi.sopInstanceUids[0]! },
    });
    expect(multiRow.numberOfFrames).toBe(5);
    expect(pixelIndexSchema.parse(multiRow.pixelData).frames).toHaveLength(5);
  });

  it('enqueues one follow-up job per series, carrying only the series database id', async () => {
    const mr = makeMrSeries({ seed: 'ingest-follow-up', slices: 6, rows: 16, cols: 16 });
    let seriesId = '';
    for (const file of mr.files) seriesId = (await ingestInstance(ctx, file, { via: 'dimse' })).seriesId;
    const queue = new Queue('ingest', { connection: site.deps.redis, prefix: site.config.QUEUE_PREFIX });
    const jobs = await queue.getJobs(['delayed', 'waiting']);
    const mine = jobs.filter((j) => j.data.seriesId === seriesId);
    expect(mine).toHaveLength(1);
    expect(mine[0]!.data).toEqual({ seriesId });
    expect(mine[0]!.id).not.toContain(mr.seriesInstanceUid);
    await queue.close();
  });

  it('routes the study to the project it came in for', async () => {
    const ct = makeCtSeries({ seed: 'ingest-project', slices: 1, rows: 16, cols: 16 });
    const outcome = await ingestInstance(ctx, ct.files[0]!, { via: 'dimse', projectId: 'project-a' });
    const link = await site.deps.prisma.studyProject.findMany({ where: { studyRef: outcome.studyId } });
    expect(link).toEqual([expect.objectContaining({ projectId: 'project-a', via: 'dimse' })]);
  });

  it('refuses bytes that are not DICOM with NOT_DICOM and stores nothing', async () => {
    const before = (await objectKeys()).length;
    const error = await ingestInstance(ctx, Buffer.from('hello, not dicom at all'), { via: 'stow' }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(IngestError);
    expect(error.code).toBe('NOT_DICOM');
    expect((await objectKeys()).length).toBe(before);
    expect(await site.deps.prisma.pendingObject.count()).toBe(0);
  });

  it('refuses with STORAGE_FAILED when the object store fails, and leaves no index row, hierarchy or pending row', async () => {
    // The S3 server answers other requests; only this put fails (as a full or refusing bucket would).
    const ct = makeCtSeries({ seed: 'ingest-s3-down', slices: 1, rows: 32, cols: 32 });
    const failing: IngestContext = {
      ...ctx,
      storage: { ...ctx.storage, put: async () => Promise.reject(new Error('S3 said no')) },
    };
    const keysBefore = await objectKeys();
    const error = await ingestInstance(failing, ct.files[0]!, { via: 'stow' }).catch((e) => e);
    expect(error).toBeInstanceOf(IngestError);
    expect(error.code).toBe('STORAGE_FAILED');
    // The index transaction ran beside the put and was rolled back: nothing of the study remains.
    expect(await site.deps.prisma.instance.count({ where: { sopInstanceUid: ct.sopInstanceUids[0]! } })).toBe(
      0,
    );
    expect(
      await site.deps.prisma.study.count({ where: { studyInstanceUid: ct.study.studyInstanceUid } }),
    ).toBe(0);
    expect(await site.deps.prisma.patient.count({ where: { patientId: ct.study.patient.id } })).toBe(0);
    expect(await site.deps.prisma.pendingObject.count()).toBe(0);
    expect(await objectKeys()).toEqual(keysBefore);

    // The same instance goes through once the store works again.
    expect((await ingestInstance(ctx, ct.files[0]!, { via: 'stow' })).status).toBe('stored');
  });

  it('counts instances by door and outcome, and bytes, in /metrics', async () => {
    const res = await site.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.body).toMatch(/annex_site_ingest_instances_total\{door="upload",outcome="stored"\} \d+/);
    expect(res.body).toMatch(/annex_site_ingest_instances_total\{door="stow",outcome="NOT_DICOM"\} 1/);
    expect(res.body).toMatch(/annex_site_ingest_bytes_total\{door="dimse"\} \d+/);
  });
});
