// Demo content: a project with labeling instructions and a synthetic CT and MR study with fake PHI,
// ingested through the same pipeline as every door.
import { makeCtSeries, makeMrSeries, makeStudy } from '@annex/dicom';
import type { FastifyInstance } from 'fastify';
import { ingestContextOf } from '../../services/site/src/modules/ingest/context.ts';
import { ingestInstance } from '../../services/site/src/modules/ingest/service.ts';
import { createProjectRepository } from '../../services/site/src/modules/projects/repository.ts';
import { addTasksByHand } from '../../services/site/src/modules/projects/service.ts';
import { taskContextOf } from '../../services/site/src/modules/tasks/context.ts';

export const DEMO_PROJECT = {
  slug: 'chest-ct-lesions',
  name: 'Chest CT: lesions and nodules',
  taskScope: 'study' as const,
  consensusSize: 3,
  goldRate: 0,
  goldWarmup: 0,
  reviewStage: false,
  leaseSeconds: 3600,
  routingRules: [{ modality: ['CT'] }],
  flagThresholds: { diceBelow: 0.7, kappaBelow: 0.4 },
  instructions: {
    text: 'Paint every lesion on every slice it appears on. Box each lung nodule and say whether it is solid. Rate the image quality of the study.',
    examples: [],
    labels: [
      {
        id: 'lesion',
        name: 'Lesion',
        color: '#e6194b',
        tool: 'mask' as const,
        required: true,
        attributes: [],
        threshold: [0, 400] as [number, number],
        code: { scheme: 'SCT', value: '52988006', meaning: 'Lesion' },
        category: { scheme: 'SCT', value: '49755003', meaning: 'Morphologically Altered Structure' },
      },
      {
        id: 'nodule',
        name: 'Lung nodule',
        color: '#3cb44b',
        tool: 'bbox' as const,
        required: false,
        code: { scheme: 'SCT', value: '27925004', meaning: 'Nodule' },
        category: { scheme: 'SCT', value: '49755003', meaning: 'Morphologically Altered Structure' },
        attributes: [
          { id: 'solid', label: 'Solid', type: 'boolean' as const, required: true },
          {
            id: 'calcified',
            label: 'Calcified',
            type: 'select' as const,
            options: ['yes', 'no', 'unsure'],
            required: true,
            showIf: { attribute: 'solid', equals: true },
          },
        ],
      },
    ],
    classifications: [
      {
        id: 'quality',
        label: 'Image quality',
        level: 'study' as const,
        type: 'select' as const,
        options: ['good', 'adequate', 'poor'],
        required: true,
      },
    ],
  },
};

export async function seedDemo(app: FastifyInstance, ctSlices: number) {
  const projects = createProjectRepository(app.prisma);
  const project =
    (await projects.findBySlug(DEMO_PROJECT.slug)) ?? (await projects.create(DEMO_PROJECT, 'demo-seed'));
  const ctStudy = makeStudy('demo-ct');
  if ((await app.prisma.study.count()) === 0) {
    const ct = makeCtSeries({ slices: ctSlices, seed: 'demo-ct', study: ctStudy });
    const mr = makeMrSeries({ slices: 24, seed: 'demo-mr', study: makeStudy('demo-mr') });
    const ctx = ingestContextOf(app);
    for (const file of [...ct.files, ...mr.files]) await ingestInstance(ctx, file, { via: 'upload' });
    app.log.info({ instances: ct.files.length + mr.files.length }, 'demo studies seeded');
  }
  // The worker routes the CT into the project too; doing it here makes the task exist at once.
  if (await app.prisma.study.findUnique({ where: { studyInstanceUid: ctStudy.studyInstanceUid } })) {
    await addTasksByHand(app.prisma, taskContextOf(app), project.id, [ctStudy.studyInstanceUid]);
  }
  return project;
}
