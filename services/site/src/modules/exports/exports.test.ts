import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { AnnotationDoc } from '@annex/annotation-model';
import { makeCtSeries, makeStudy, type SyntheticSeries } from '@annex/dicom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PROJECT, seedDemo } from '../../../../../scripts/demo/seed.ts';
import { dciodvfyErrors, readWithDcmjs } from '../../../../dicom/test/dicom-tools.ts';
import { NIBABEL_AFFINE, NIBABEL_VOXELS, PYDICOM_SEG, python } from '../../../../dicom/test/python-tools.ts';
import { startTestSite, type TestSite } from '../../../test/app.ts';
import { type ClaimedTask, finalizeByConsensus } from '../../../test/final-label-set.ts';
import { squareRuns } from '../../../test/mask-runs.ts';
import { createJobHandlers } from '../../jobs/handlers.ts';
import { JobName } from '../../jobs/names.ts';
import { ingestContextOf } from '../ingest/context.ts';
import { ingestInstance } from '../ingest/service.ts';
import { taskContextOf } from '../tasks/context.ts';
import { cocoDatasetSchema } from './formats/coco-schema.ts';
import { verifyManifest } from './formats/manifest.ts';

// Exports end to end on the seeded demo study (the demo's own project and fake-PHI CT): three annotators paint,
// the quality job makes the consensus, a QC decision accepts it; then the export job writes a bundle into real
// S3 (in-process s3rver), it is downloaded over HTTP (whole and by ranges), and every file is checked by
// tools nobody here wrote: dciodvfy (dicom3tools), pydicom, nibabel and dcm2niix.

const SLICES = 12;
const LESION_SLICES = [4, 5, 6, 7];
let site: TestSite;
let ct: SyntheticSeries;
let projectId: string;
let taskId: string;
let work: string;
let handlers: ReturnType<typeof createJobHandlers>;

const api = async (
  user: string,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: object,
  headers = {},
) =>
  site.app.inject({
    method,
    url,
    headers: { ...(await site.auth(user)), ...headers },
    ...(payload ? { payload } : {}),
  });

/** Runs the export job for a request (as a worker would) and returns the export's final view. */
async function build(id: string) {
  await handlers[JobName.BuildExport]({ exportId: id });
  return (await api('admin', 'GET', `/api/exports/${id}`)).json();
}

/**
 * Ingests the given slices of a series, adds its study as a task of the project and stores a final label set
 * (a 5×5 lesion square on one slice) as a QC decision would; the consensus path is exercised above.
 */
async function taskWithFinalMask(ct: SyntheticSeries, slices: number[], painted: number) {
  const ingest = ingestContextOf(site.app);
  for (const k of slices) await ingestInstance(ingest, ct.files[k]!, { via: 'upload' });
  await api('admin', 'POST', `/api/projects/${projectId}/tasks`, {
    studyInstanceUids: [ct.study.studyInstanceUid],
  });
  const study = await site.deps.prisma.study.findUniqueOrThrow({
    where: { studyInstanceUid: ct.study.studyInstanceUid },
  });
  const task = await site.deps.prisma.task.findFirstOrThrow({ where: { studyRef: study.id } });
  const deid = taskContextOf(site.app).ids.deidUid;
  const image = {
    seriesUid: deid(ct.seriesInstanceUid),
    sopInstanceUid: deid(ct.sopInstanceUids[painted]!),
    frame: 1,
  };
  const mask = {
    labelId: 'lesion',
    rows: 32,
    columns: 32,
    attributes: {},
    slices: [{ image, runs: squareRuns(ct.geometry, 4, 4, 5, 5) }],
  };
  await site.deps.prisma.labelSet.create({
    data: { taskRef: task.id, method: 'single', doc: { shapes: [], classifications: {}, masks: [mask] } },
  });
  return { study, task };
}

function lesionDoc(task: ClaimedTask, shift: number): AnnotationDoc {
  const deid = taskContextOf(site.app).ids.deidUid;
  const image = (k: number) => ({
    seriesUid: task.seriesUids[0]!,
    sopInstanceUid: deid(ct.sopInstanceUids[k]!),
    frame: 1,
  });
  expect(task.seriesUids[0]).toBe(deid(ct.seriesInstanceUid));
  return {
    shapes: [
      {
        id: 'n1',
        labelId: 'nodule',
        kind: 'bbox',
        image: image(5),
        points: [
          [300, 180],
          [330, 214],
        ],
        attributes: { solid: false },
      },
    ],
    masks: [
      {
        labelId: 'lesion',
        rows: ct.geometry.rows,
        columns: ct.geometry.columns,
        slices: LESION_SLICES.map((k) => ({
          image: image(k),
          runs: squareRuns(ct.geometry, 200 + shift, 220, 48 - k, 30 + k),
        })),
        attributes: {},
      },
    ],
    classifications: { quality: { study: 'good' } },
  };
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

beforeAll(async () => {
  site = await startTestSite();
  handlers = createJobHandlers(site.app);
  projectId = (await seedDemo(site.app, SLICES)).id;
  ct = makeCtSeries({ slices: SLICES, seed: 'demo-ct', study: makeStudy('demo-ct') });
  taskId = await finalizeByConsensus(site, projectId, [
    { user: 'ana', doc: (t) => lesionDoc(t, 0) },
    { user: 'ben', doc: (t) => lesionDoc(t, 0) },
    { user: 'cleo', doc: (t) => lesionDoc(t, 2) },
  ]);
  work = mkdtempSync(join(tmpdir(), 'annex-export-test-'));
}, 120_000);
afterAll(async () => {
  await site?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('a de-identified dataset bundle of the demo project', () => {
  let exportId: string;
  let bundle: Buffer;
  let root: string;
  let labelset: AnnotationDoc;

  it('is requested, built by the job with progress, and reported to the cloud with counts only', async () => {
    const requested = await api('admin', 'POST', '/api/exports', {
      projectId,
      formats: ['seg', 'sr', 'nifti', 'nifti-image', 'coco', 'dicom'],
    });
    expect(requested.statusCode, requested.body).toBe(202);
    expect(requested.json()).toMatchObject({ status: 'queued', itemsTotal: 1, variant: 'deidentified' });
    exportId = requested.json().id;
    const done = await build(exportId);
    expect(done.error).toBeNull();
    expect(done).toMatchObject({ status: 'succeeded', percent: 100, itemsDone: 1, attempt: 1 });
    expect(done.fileName).toMatch(
      new RegExp(`^annex-${DEMO_PROJECT.slug}-\\d{4}-\\d{2}-\\d{2}-[0-9a-f]{8}\\.tar$`),
    );
    const outbox = await site.deps.prisma.syncOutbox.findMany({ where: { type: 'export.completed' } });
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.body).toMatchObject({
      taskCount: 1,
      fileCount: done.fileCount,
      bytes: done.size,
      variant: 'deidentified',
    });
    labelset = (await api('admin', 'GET', `/api/tasks/${taskId}/labelset`)).json().doc;
  });

  it('downloads whole with its checksum, and resumes from any byte with Range', async () => {
    const whole = await api('admin', 'GET', `/api/exports/${exportId}/download`);
    expect(whole.statusCode).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    bundle = whole.rawPayload;
    const view = (await api('admin', 'GET', `/api/exports/${exportId}`)).json();
    expect(bundle.length).toBe(view.size);
    expect(createHash('sha256').update(bundle).digest('hex')).toBe(view.sha256);
    // An interrupted download: the first third arrived, the rest is fetched with Range and If-Range.
    const cut = Math.floor(bundle.length / 3);
    const rest = await api('admin', 'GET', `/api/exports/${exportId}/download`, undefined, {
      range: `bytes=${cut}-`,
      'if-range': whole.headers.etag as string,
    });
    expect(rest.statusCode).toBe(206);
    expect(rest.headers['content-range']).toBe(`bytes ${cut}-${bundle.length - 1}/${bundle.length}`);
    expect(Buffer.concat([bundle.subarray(0, cut), rest.rawPayload]).equals(bundle)).toBe(true);
    const stale = await api('admin', 'GET', `/api/exports/${exportId}/download`, undefined, {
      range: `bytes=${cut}-`,
      'if-range': '"another-version"',
    });
    expect(stale.statusCode).toBe(200);
    expect(stale.rawPayload.length).toBe(bundle.length);
    const outside = await api('admin', 'GET', `/api/exports/${exportId}/download`, undefined, {
      range: `bytes=${bundle.length}-`,
    });
    expect(outside.statusCode).toBe(416);
    expect(outside.json().error.code).toBe('EXPORT_RANGE_NOT_SATISFIABLE');
  });

  it('downloads through a signed link without a token, and refuses a forged one', async () => {
    const link = (await api('admin', 'POST', `/api/exports/${exportId}/link`)).json();
    const ok = await site.app.inject({ method: 'GET', url: link.url });
    expect(ok.statusCode).toBe(200);
    expect(ok.rawPayload.equals(bundle)).toBe(true);
    const forged = await site.app.inject({
      method: 'GET',
      url: link.url.replace(/sig=[^&]+/, 'sig=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'),
    });
    expect(forged.statusCode).toBe(403);
    expect(
      (await site.app.inject({ method: 'GET', url: `/api/exports/${exportId}/download` })).statusCode,
    ).toBe(401);
  });

  it('is a tar whose manifest checksums match every file, with a dataset card', async () => {
    const tarFile = join(work, 'bundle.tar');
    writeFileSync(tarFile, bundle);
    const out = join(work, 'x');
    mkdirSync(out);
    const untar = spawnSync('tar', ['-xf', tarFile, '-C', out], { encoding: 'utf8' });
    expect(untar.status, untar.stderr).toBe(0);
    const [top] = readdirSync(out);
    root = join(out, top!);
    const manifest = JSON.parse(readFileSync(join(root, 'manifest.json'), 'utf8'));
    const listed = new Set(manifest.files.map((f: { path: string }) => f.path));
    const present = files(root)
      .map((f) => relative(root, f))
      .filter((f) => f !== 'manifest.json' && f !== 'README.md');
    expect(new Set(present)).toEqual(listed);
    expect(await verifyManifest(manifest, async (p: string) => readFileSync(join(root, p)))).toEqual([]);
    for (const f of manifest.files as { path: string; sha256: string }[])
      expect(
        createHash('sha256')
          .update(readFileSync(join(root, f.path)))
          .digest('hex'),
      ).toBe(f.sha256);
    expect(manifest.tasks[0].task).toMatch(/^tk_/);
    expect(manifest.tasks[0].annotators).toHaveLength(3);
    for (const a of manifest.tasks[0]!.annotators) expect(a).toMatch(/^usr_/);
    expect(manifest.labelMap.lesion).toMatchObject({ value: 1, code: { scheme: 'SCT', value: '52988006' } });
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('Lesion');
    // A changed byte is caught.
    const seg = manifest.files.find((f: { path: string }) => f.path.endsWith('.seg.dcm')).path;
    const bytes = readFileSync(join(root, seg));
    bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    expect(
      await verifyManifest(manifest, async (p: string) => (p === seg ? bytes : readFileSync(join(root, p)))),
    ).not.toEqual([]);
  });

  it('holds no PHI value of the source study in any byte or file name', () => {
    const all = files(root);
    expect(all.length).toBeGreaterThan(SLICES);
    const needles = ct.phi.filter((v) => v.length >= 4);
    expect(needles.length).toBeGreaterThan(10);
    for (const file of all) {
      const text = readFileSync(file).toString('latin1');
      const name = relative(root, file);
      for (const value of needles) {
        expect(text.includes(value), `${value} in ${name}`).toBe(false);
        expect(name.includes(value), `${value} in the name ${name}`).toBe(false);
      }
    }
  });

  it('writes a SEG that dciodvfy passes and pydicom reads back voxel for voxel as the label set', () => {
    const segPath = files(root).find((f) => f.endsWith('.seg.dcm'))!;
    const seg = readFileSync(segPath);
    expect(dciodvfyErrors(seg)).toEqual([]);
    // The SEG names the study and frame of reference exactly as the bundle's de-identified images do.
    const image = readWithDcmjs(readFileSync(files(root).find((f) => f.includes('/dicom/'))!));
    const ours = readWithDcmjs(seg);
    expect(ours.FrameOfReferenceUID).toBe(image.FrameOfReferenceUID);
    expect(ours.StudyInstanceUID).toBe(image.StudyInstanceUID);
    expect(ours.FrameOfReferenceUID).not.toBe(ct.frameOfReferenceUid);
    const read = python<{
      frames: { segment: number; sop: string; frame: number; pixels: number[] }[];
      segments: { number: number; label: string; code: string }[];
      series: string;
    }>(PYDICOM_SEG, [segPath], 'python3-pydicom');
    expect(read.segments).toEqual([{ number: 1, label: 'Lesion', code: '52988006' }]);
    expect(read.series).toBe(taskContextOf(site.app).ids.deidUid(ct.seriesInstanceUid));
    const mask = labelset.masks.find((m) => m.labelId === 'lesion')!;
    const expected = new Map<string, number[]>();
    for (const s of mask.slices) {
      const pixels: number[] = [];
      let pos = 0;
      s.runs.forEach((n, k) => {
        if (k % 2 === 1) for (let i = pos; i < pos + n; i++) pixels.push(i);
        pos += n;
      });
      if (pixels.length) expected.set(`${s.image.sopInstanceUid}/${s.image.frame}`, pixels);
    }
    expect(expected.size).toBe(LESION_SLICES.length);
    // Only the frames the segment covers are written, each with exactly the label set's pixels.
    expect(new Map(read.frames.map((f) => [`${f.sop}/${f.frame}`, f.pixels]))).toEqual(expected);
  });

  it('writes an SR that dciodvfy passes', () => {
    const sr = files(root).find((f) => f.endsWith('.sr.dcm'))!;
    expect(dciodvfyErrors(readFileSync(sr))).toEqual([]);
  });

  it("writes NIfTI whose affine is dcm2niix's for the same series and whose voxels nibabel reads in place", () => {
    const all = files(root);
    const labels = all.find((f) => f.endsWith('_labels.nii.gz'))!;
    const image = all.find((f) => f.endsWith('_image.nii.gz'))!;
    const dicomDir = join(root, 'dicom');
    const peerDir = join(work, 'dcm2niix');
    mkdirSync(peerDir);
    const run = spawnSync('dcm2niix', ['-z', 'n', '-f', 'peer', '-o', peerDir, dicomDir], {
      encoding: 'utf8',
    });
    expect(run.status, `dcm2niix (apt-get install dcm2niix): ${run.stdout}${run.stderr}`).toBe(0);
    const peer = python<{ affine: number[][]; shape: number[] }>(
      NIBABEL_AFFINE,
      [join(peerDir, 'peer.nii')],
      'python3-nibabel',
    );
    const ours = python<{ affine: number[][]; shape: number[]; voxels: number[][] }>(
      NIBABEL_VOXELS,
      [labels],
      'python3-nibabel',
    );
    const img = python<{ affine: number[][]; shape: number[] }>(NIBABEL_AFFINE, [image], 'python3-nibabel');
    expect(ours.shape).toEqual(peer.shape.slice(0, 3));
    expect(img.shape.slice(0, 3)).toEqual(peer.shape.slice(0, 3));
    for (const a of [ours.affine, img.affine])
      for (let r = 0; r < 4; r++)
        for (let c = 0; c < 4; c++) expect(Math.abs(a[r]![c]! - peer.affine[r]![c]!)).toBeLessThan(1e-3);
    // Each labelled voxel, mapped through the file's own affine to patient space, lands on a painted pixel.
    const mask = labelset.masks.find((m) => m.labelId === 'lesion')!;
    const painted = new Map<number, Set<number>>();
    const deid = taskContextOf(site.app).ids.deidUid;
    for (const s of mask.slices) {
      const k = ct.sopInstanceUids.findIndex((u) => deid(u) === s.image.sopInstanceUid);
      const set = new Set<number>();
      let pos = 0;
      s.runs.forEach((n, i) => {
        if (i % 2 === 1) for (let p = pos; p < pos + n; p++) set.add(p);
        pos += n;
      });
      painted.set(k, set);
    }
    const total = [...painted.values()].reduce((n, s) => n + s.size, 0);
    expect(ours.voxels.length).toBe(total);
    const g = ct.geometry;
    for (const [i, j, k, value] of ours.voxels) {
      expect(value).toBe(1);
      const ras = [0, 1, 2].map(
        (r) =>
          ours.affine[r]![0]! * i! +
          ours.affine[r]![1]! * j! +
          ours.affine[r]![2]! * k! +
          ours.affine[r]![3]!,
      );
      const lps = [-ras[0]!, -ras[1]!, ras[2]!];
      const slice = g.positions.findIndex((p) => Math.abs(p[2] - lps[2]!) < 1e-3);
      expect(slice).toBeGreaterThanOrEqual(0);
      const col = Math.round((lps[0]! - g.positions[slice]![0]) / g.pixelSpacing[1]);
      const row = Math.round((lps[1]! - g.positions[slice]![1]) / g.pixelSpacing[0]);
      expect(painted.get(slice)?.has(row * g.columns + col), `voxel ${i},${j},${k}`).toBe(true);
    }
  });

  it('writes COCO that passes the schema, with the box and the mask of the label set', () => {
    const coco = cocoDatasetSchema.parse(
      JSON.parse(readFileSync(join(root, 'coco', 'annotations.json'), 'utf8')),
    );
    expect(coco.categories.map((c) => c.name)).toEqual(['Lesion', 'Lung nodule']);
    const box = coco.annotations.find((a) => a.category_id === 2)!;
    expect(box.bbox).toEqual([300, 180, 30, 34]);
    expect(box.area).toBe(30 * 34);
    const masks = coco.annotations.filter((a) => a.category_id === 1);
    expect(masks).toHaveLength(LESION_SLICES.length);
    const expectedArea = labelset.masks[0]!.slices.map((s) =>
      s.runs.filter((_, i) => i % 2 === 1).reduce((a, b) => a + b, 0),
    );
    expect(masks.map((m) => m.area).sort()).toEqual(expectedArea.sort());
  });
});

describe('bad input and the export lifecycle', () => {
  it('refuses a task without a final label set with its code', async () => {
    const other = makeCtSeries({ slices: 3, rows: 32, cols: 32, seed: 'export-unfinished' });
    const ingest = ingestContextOf(site.app);
    for (const f of other.files) await ingestInstance(ingest, f, { via: 'upload' });
    const added = await api('admin', 'POST', `/api/projects/${projectId}/tasks`, {
      studyInstanceUids: [other.study.studyInstanceUid],
    });
    expect(added.statusCode, added.body).toBeLessThan(300);
    const task = await site.deps.prisma.task.findFirstOrThrow({
      where: { projectRef: projectId, labelSet: null },
    });
    const single = await api('admin', 'GET', `/api/tasks/${task.id}/export/seg`);
    expect(single.statusCode).toBe(409);
    expect(single.json().error.code).toBe('EXPORT_NO_FINAL_LABELSET');
    const project = await api('admin', 'POST', '/api/exports', {
      projectId,
      formats: ['seg'],
      filter: { taskIds: [task.id] },
    });
    expect(project.statusCode).toBe(400);
    expect(project.json().error.code).toBe('EXPORT_NOTHING_SELECTED');
  });

  it('keeps identified exports (original UIDs) to site administrators, audited', async () => {
    const reviewer = await api('rita', 'GET', `/api/tasks/${taskId}/export/seg?variant=identified`);
    expect(reviewer.statusCode).toBe(403);
    expect(reviewer.json().error.code).toBe('EXPORT_IDENTIFIED_FORBIDDEN');
    const deidentified = await api('rita', 'GET', `/api/tasks/${taskId}/export/seg`);
    expect(deidentified.statusCode).toBe(200);
    const identified = await api('admin', 'GET', `/api/tasks/${taskId}/export/seg?variant=identified`);
    expect(identified.statusCode).toBe(200);
    const path = join(work, 'identified.seg.dcm');
    writeFileSync(path, identified.rawPayload);
    expect(dciodvfyErrors(identified.rawPayload)).toEqual([]);
    const read = python<{ series: string; frames: { sop: string }[] }>(
      PYDICOM_SEG,
      [path],
      'python3-pydicom',
    );
    expect(read.series).toBe(ct.seriesInstanceUid);
    for (const f of read.frames) expect(ct.sopInstanceUids).toContain(f.sop);
    const audit = await site.deps.prisma.auditEvent.findMany({ where: { action: 'export.identified' } });
    expect(audit).toHaveLength(1);
    const bundle = await api('admin', 'POST', '/api/exports', {
      projectId,
      formats: ['seg', 'dicom'],
      variant: 'identified',
    });
    expect(bundle.json().error.code).toBe('EXPORT_IDENTIFIED_FORMATS');
  });

  it('cancels a queued export, and the job then writes nothing', async () => {
    const requested = (await api('admin', 'POST', '/api/exports', { projectId, formats: ['seg'] })).json();
    const cancelled = await api('admin', 'POST', `/api/exports/${requested.id}/cancel`);
    expect(cancelled.json().status).toBe('cancelled');
    const after = await build(requested.id);
    expect(after.status).toBe('cancelled');
    expect(after.size).toBeNull();
    expect((await api('admin', 'POST', `/api/exports/${requested.id}/cancel`)).json().error.code).toBe(
      'EXPORT_NOT_CANCELLABLE',
    );
    const retried = await api('admin', 'POST', `/api/exports/${requested.id}/retry`);
    expect(retried.json().status).toBe('queued');
    expect((await build(requested.id)).status).toBe('succeeded');
  });

  it("rebuilds after a crash from scratch: the crashed attempt's parts are deleted, no duplicate output", async () => {
    const requested = (
      await api('admin', 'POST', '/api/exports', { projectId, formats: ['seg', 'nifti'] })
    ).json();
    // A worker died mid-build: the row says running, a half-written part lies under its prefix.
    const crashedPrefix = 'exports/00000000-dead-4bee-8000-000000000000/';
    await site.deps.storage.put(`${crashedPrefix}part-000000`, Buffer.from('half a bundle'));
    await site.deps.prisma.export.update({
      where: { id: requested.id },
      data: { status: 'running', attempt: 1, objectPrefix: crashedPrefix },
    });
    const done = await build(requested.id);
    expect(done).toMatchObject({ status: 'succeeded', attempt: 2 });
    const left = [];
    for await (const o of site.deps.storage.list(crashedPrefix)) left.push(o.key);
    expect(left).toEqual([]);
    const row = await site.deps.prisma.export.findUniqueOrThrow({ where: { id: requested.id } });
    const keys = [];
    for await (const o of site.deps.storage.list(row.objectPrefix!)) keys.push(o.key);
    expect(keys).toHaveLength(row.parts.length);
  });

  it('fails with the source missing when the study was deleted, leaving no part behind', async () => {
    const doomed = makeCtSeries({
      slices: 3,
      rows: 32,
      cols: 32,
      seed: 'export-deleted',
      study: makeStudy('export-deleted'),
    });
    const { study, task } = await taskWithFinalMask(doomed, [0, 1, 2], 1);
    // The finalized task of the demo study first (written to the bundle), then the deleted one.
    const requested = (
      await api('admin', 'POST', '/api/exports', {
        projectId,
        formats: ['seg', 'dicom'],
        filter: { taskIds: [taskId, task.id] },
      })
    ).json();
    expect(requested.itemsTotal).toBe(2);
    await site.deps.prisma.study.delete({ where: { id: study.id } });
    const failed = await build(requested.id);
    expect(failed.status).toBe('failed');
    expect(failed.error.code).toBe('EXPORT_SOURCE_MISSING');
    const row = await site.deps.prisma.export.findUniqueOrThrow({ where: { id: requested.id } });
    expect(row.objectPrefix).toBeNull();
    const live = (await site.deps.prisma.export.findMany({ where: { status: 'succeeded' } })).map(
      (e) => e.objectPrefix!,
    );
    const stray = [];
    for await (const o of site.deps.storage.list('exports/'))
      if (!live.some((p) => o.key.startsWith(p))) stray.push(o.key);
    expect(stray).toEqual([]);
    await site.deps.prisma.task.delete({ where: { id: task.id } });
  });

  it('refuses a series with a missing slice, naming the reason and the image, and writes nothing', async () => {
    const gappy = makeCtSeries({
      slices: 6,
      rows: 32,
      cols: 32,
      seed: 'export-gap',
      study: makeStudy('export-gap'),
    });
    const { task } = await taskWithFinalMask(gappy, [0, 1, 2, 4, 5], 2);
    const single = await api('admin', 'GET', `/api/tasks/${task.id}/export/nifti`);
    expect(single.statusCode).toBe(422);
    expect(single.json().error.code).toBe('EXPORT_GEOMETRY_INVALID');
    expect(single.json().error.details.reason).toBe('MISSING_SLICE');
    expect(single.json().error.details.instance).toMatch(/^2\.25\./);
    const requested = (
      await api('admin', 'POST', '/api/exports', {
        projectId,
        formats: ['nifti'],
        filter: { taskIds: [task.id] },
      })
    ).json();
    const failed = await build(requested.id);
    expect(failed.error.code).toBe('EXPORT_GEOMETRY_INVALID');
    await site.deps.prisma.labelSet.delete({ where: { taskRef: task.id } });
  });

  it('deletes the files of an expired export and answers 410 for it', async () => {
    const requested = (
      await api('admin', 'POST', '/api/exports', {
        projectId,
        formats: ['seg'],
        filter: { taskIds: [taskId] },
      })
    ).json();
    await build(requested.id);
    const row = await site.deps.prisma.export.update({
      where: { id: requested.id },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    await handlers[JobName.ExpireExports]({});
    const keys = [];
    for await (const o of site.deps.storage.list(row.objectPrefix!)) keys.push(o.key);
    expect(keys).toEqual([]);
    const gone = await api('admin', 'GET', `/api/exports/${requested.id}/download`);
    expect(gone.statusCode).toBe(410);
    expect(gone.json().error.code).toBe('EXPORT_EXPIRED');
  });

  it('is for site administrators: an annotator is refused', async () => {
    const r = await api('ana', 'POST', '/api/exports', { projectId, formats: ['seg'] });
    expect(r.statusCode).toBe(403);
  });
});
