import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { datasetCard } from './dataset-card.ts';
import { buildManifest, type ManifestInput, verifyManifest } from './manifest.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const entry = (path: string, content: string) => ({
  path,
  size: bytes(content).length,
  sha256: createHash('sha256').update(content).digest('hex'),
});
const FILES: Record<string, string> = { 'tasks/tsk_1/a.seg.dcm': 'seg bytes', 'coco/annotations.json': '{}' };
const input = (over: Partial<ManifestInput> = {}): ManifestInput => ({
  datasetId: '3f2c9a8e-0000-4000-8000-000000000001',
  createdAt: '2026-12-06T10:00:00.000Z',
  project: { pseudonym: 'prj_x1', slug: 'chest-ct' },
  instructionsVersions: [2],
  labelMap: {
    lesion: {
      value: 1,
      name: 'Lesion | left',
      tool: 'mask',
      color: '#ff0000',
      code: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
    },
  },
  formats: ['seg', 'coco'],
  deidentification: { profile: 'PS3.15 Basic', options: ['Clean Descriptors Option'] },
  tasks: [
    {
      task: 'tsk_1',
      consensusMethod: 'staple',
      annotators: ['usr_a', 'usr_b'],
      agreement: { lesion: { dice: 0.9123 } },
      files: [entry('tasks/tsk_1/a.seg.dcm', FILES['tasks/tsk_1/a.seg.dcm']!)],
    },
  ],
  files: Object.entries(FILES).map(([p, c]) => entry(p, c)),
  ...over,
});

describe('manifest', () => {
  it('verifies an intact copy and names each changed, truncated or missing file', async () => {
    const manifest = buildManifest(input());
    expect(await verifyManifest(manifest, async (p) => bytes(FILES[p]!))).toEqual([]);
    const broken = await verifyManifest(manifest, async (p) => {
      if (p === 'coco/annotations.json') throw new Error('ENOENT');
      return bytes('seg bytez');
    });
    expect(broken.map((m) => [m.path, m.problem])).toEqual([
      ['tasks/tsk_1/a.seg.dcm', 'sha256'],
      ['coco/annotations.json', 'missing'],
    ]);
    expect((await verifyManifest(manifest, async () => bytes('x'))).map((m) => m.problem)).toEqual([
      'size',
      'size',
    ]);
  });

  it('refuses paths that climb out, files listed twice, and task files the bundle does not list', () => {
    expect(() => buildManifest(input({ files: [entry('../x', 'a')] }))).toThrow();
    expect(() => buildManifest(input({ files: [entry('a', 'a'), entry('a', 'a')] }))).toThrow(/listed twice/);
    expect(() => buildManifest(input({ files: [entry('coco/annotations.json', '{}')] }))).toThrow(
      /not in the bundle/,
    );
  });

  it('makes a dataset card from the manifest alone: labels with codes, de-identification, agreement', () => {
    const card = datasetCard(buildManifest(input()));
    expect(card).toContain('# Annex dataset 3f2c9a8e-0000-4000-8000-000000000001');
    expect(card).toContain('| 1 | lesion | Lesion \\| left | mask | SCT 52988006 "Lesion" |');
    expect(card).toContain('PS3.15 Basic, with: Clean Descriptors Option.');
    expect(card).toContain('| tsk_1 | staple | 2 | lesion dice 0.912 |');
    expect(card).toContain('2 file(s)');
  });
});
