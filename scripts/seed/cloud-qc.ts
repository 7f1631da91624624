// Seeds a cloud database with one large QC project: 10,000 tasks, 50 annotators, 3 per task, 5 %
// gold, metrics for the tasks that were submitted, history spread over 60 days, a few hundred
// decisions. Written through the QC module's own inbox appliers (as if a site had sent it), so
// flags, summaries and history rows are exactly what the sync path would have made.
// usage: DATABASE_URL=postgresql://… npx tsx scripts/seed/cloud-qc.ts [--tasks 10000] [--annotators 50]
//        [--site seed-site] [--org demo-hospital] [--decisions 300]
// The database must be migrated (npm run db:deploy -w services/cloud). Ids are pseudonym-shaped.

import { createHash, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { createPrisma, type PrismaClient } from '@annex/cloud/db.ts';
import { registerBuiltinHandlers } from '@annex/cloud/modules/inbox/builtin-handlers.ts';
import { InboxHandlers } from '@annex/cloud/modules/inbox/handlers.ts';
import { decide } from '@annex/cloud/modules/qc/decision-service.ts';
import {
  applyAnnotatorProfile,
  applyTaskMetrics,
  applyTaskUpserted,
} from '@annex/cloud/modules/qc/ingest-repository.ts';
import { createOrganization, registerSite } from '@annex/cloud/modules/sites/service.ts';
import {
  type BodyOf,
  type Envelope,
  exportPublicKeyPem,
  generateKeyPair,
  type TASK_STATUSES,
} from '@annex/protocol';

export interface SeedOptions {
  tasks: number;
  annotators: number;
  siteId: string;
  org: string;
  decisions: number;
  /** Deterministic data for a given seed. */
  seed: string;
}

export interface SeedResult {
  siteId: string;
  projectId: string;
  taskIds: string[];
  annotatorIds: string[];
  withMetrics: number;
}

const pid = (kind: string, seed: string) =>
  `${kind}_${createHash('sha256').update(seed).digest('base64url').slice(0, 20)}`;

/** A small deterministic PRNG (mulberry32), so two runs seed the same numbers. */
function rng(seed: string) {
  let a = createHash('sha256').update(seed).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const clamp = (v: number, lo = 0, hi = 1) => Math.min(hi, Math.max(lo, v));
const envelope = <T extends 'study.available' | 'task.upserted' | 'task.metrics' | 'annotator.profile'>(
  body: BodyOf<T>,
  sentAt: Date,
) => ({ body, sentAt: sentAt.toISOString() }) as unknown as Envelope<T>;

export async function seedCloudQc(prisma: PrismaClient, o: SeedOptions): Promise<SeedResult> {
  await createOrganization(prisma, o.org, `Org ${o.org}`);
  const key = generateKeyPair();
  if (!(await prisma.site.findUnique({ where: { id: o.siteId } })))
    await registerSite(prisma, {
      siteId: o.siteId,
      name: o.siteId,
      orgSlug: o.org,
      publicKey: exportPublicKeyPem(key.publicKey),
    });
  const random = rng(o.seed);
  const builtin = new InboxHandlers();
  registerBuiltinHandlers(builtin);
  const studyAvailable = builtin.get('study.available');
  const projectId = pid('prj', `${o.seed}/project`);
  const annotatorIds = Array.from({ length: o.annotators }, (_, i) => pid('usr', `${o.seed}/annotator/${i}`));
  // Each annotator has a skill; a few are weak, so gold misses and outliers exist.
  const skill = annotatorIds.map((_, i) => (i % 10 === 9 ? 0.65 : 0.85 + random() * 0.1));
  // Work numbers come from their own generator, so the agreement numbers above stay as they were.
  const work = rng(`${o.seed}/work`);
  // Typical active seconds per annotator (5–12 min); every 17th rushes (time outliers).
  const pace = annotatorIds.map((_, i) => (i % 17 === 16 ? 45 : 300 + work() * 420));
  const pairwise = (labelId: string, team: number[], scores: number[]) => ({
    metric: 'dice' as const,
    pairs: team.flatMap((a, i) =>
      team.slice(i + 1).map((b, k) => ({
        annotatorA: annotatorIds[a]!,
        annotatorB: annotatorIds[b]!,
        value: clamp(
          (scores[i]! + scores[i + 1 + k]!) / 2 - (labelId === 'lesion' ? 0.1 : 0) + (work() - 0.5) * 0.1,
        ),
      })),
    ),
  });
  const now = Date.now();
  const DAY = 86_400_000;
  const taskIds: string[] = [];
  let withMetrics = 0;
  const BATCH = 500;
  for (let start = 0; start < o.tasks; start += BATCH) {
    const studies: Envelope<'study.available'>[] = [];
    const upserts: Envelope<'task.upserted'>[] = [];
    const metrics: Envelope<'task.metrics'>[] = [];
    for (let i = start; i < Math.min(o.tasks, start + BATCH); i++) {
      const taskId = pid('tk', `${o.seed}/task/${i}`);
      taskIds.push(taskId);
      const isGold = random() < 0.05;
      const picks = new Set<number>();
      while (picks.size < 3) picks.add(Math.floor(random() * o.annotators));
      const team = [...picks];
      // Most tasks are done; the newest tenth is still in the annotators' hands.
      const done = i < o.tasks * 0.9;
      const status: (typeof TASK_STATUSES)[number] = done
        ? (['submitted', 'in_review', 'accepted', 'accepted', 'rework', 'escalated'] as const)[
            Math.floor(random() * 6)
          ]!
        : (['pending', 'in_progress'] as const)[Math.floor(random() * 2)]!;
      const created = new Date(now - (60 - (i / o.tasks) * 60) * DAY);
      const mr = random() < 0.2;
      studies.push(
        envelope<'study.available'>(
          {
            studyId: pid('st', `${o.seed}/study/${i}`),
            series: [
              {
                seriesId: pid('se', `${o.seed}/series/${i}`),
                modality: mr ? 'MR' : 'CT',
                sopClassUid: mr ? '1.2.840.10008.5.1.4.1.1.4' : '1.2.840.10008.5.1.4.1.1.2',
                instanceCount: 200,
                frameCount: 200,
                rows: 512,
                columns: 512,
                sliceThicknessMm: 1.25,
              },
            ],
          },
          created,
        ),
      );
      upserts.push(
        envelope<'task.upserted'>(
          {
            taskId,
            projectId,
            studyId: pid('st', `${o.seed}/study/${i}`),
            seriesIds: [pid('se', `${o.seed}/series/${i}`)],
            status,
            assigneeIds: team.map((t) => annotatorIds[t]!),
            labelIds: ['liver', 'lesion', 'grade'],
            isGold,
            revision: 2,
          },
          new Date(created.getTime() + DAY),
        ),
      );
      if (!done) continue;
      withMetrics += 1;
      const scores = team.map((t) => clamp(skill[t]! + (random() - 0.5) * 0.1));
      const meanScore = scores.reduce((s, x) => s + x, 0) / scores.length;
      const liver = clamp(meanScore + (random() - 0.5) * 0.1);
      const lesion = clamp(meanScore - 0.1 + (random() - 0.5) * 0.2);
      metrics.push(
        envelope<'task.metrics'>(
          {
            taskId,
            projectId,
            revision: 1,
            labels: [
              {
                labelId: 'liver',
                metrics: { dice: liver, iou: liver / (2 - liver), hd95_mm: (1 - liver) * 40 },
                pairwise: pairwise('liver', team, scores),
              },
              {
                labelId: 'lesion',
                metrics: { dice: lesion, iou: lesion / (2 - lesion), hd95_mm: (1 - lesion) * 60 },
                pairwise: pairwise('lesion', team, scores),
              },
              {
                labelId: 'grade',
                metrics: {
                  fleiss_kappa: clamp(meanScore * 1.1 - 0.2, -1, 1),
                  krippendorff_alpha: clamp(meanScore - 0.15, -1, 1),
                },
              },
            ],
            annotators: team.map((t, k) => ({
              annotatorId: annotatorIds[t]!,
              score: scores[k]!,
              metrics: {
                annotator_score: scores[k]!,
                dice: scores[k]!,
                f1: clamp(scores[k]! + 0.02),
                accuracy: scores[k]!,
                staple_sensitivity: clamp(scores[k]! + 0.05),
                staple_specificity: 0.995,
              },
              activeSeconds: Math.round(pace[t]! * (0.7 + work() * 0.6)),
              revisionCount: 1 + Math.floor(work() * 20),
              reworkCount: status === 'rework' || work() < 0.05 ? 1 : 0,
            })),
          },
          new Date(created.getTime() + DAY / 2),
        ),
      );
    }
    await prisma.$transaction(
      async (tx) => {
        // The site announces a study before it makes tasks of it (the sites module's own handler).
        await studyAvailable?.(tx, o.siteId, studies as never);
        await applyTaskUpserted(tx, o.siteId, upserts);
        if (metrics.length) await applyTaskMetrics(tx, o.siteId, metrics);
      },
      { timeout: 120_000 },
    );
  }
  // The seeded site lets the cloud show names: most annotators have one, a few stay pseudonymous.
  const profiles = annotatorIds.flatMap((annotatorId, i) =>
    i % 5 === 4
      ? []
      : [envelope<'annotator.profile'>({ annotatorId, displayName: `Annotator ${i + 1}` }, new Date(now))],
  );
  await prisma.$transaction((tx) => applyAnnotatorProfile(tx, o.siteId, profiles));
  // Decisions on the worst-agreement tasks, by a seeded reviewer (as the API would store them).
  const worst = await prisma.qcTask.findMany({
    where: { siteId: o.siteId, projectId, agreement: { not: null } },
    orderBy: { agreement: 'asc' },
    take: o.decisions,
    select: { taskId: true, projectId: true, revision: true },
  });
  const author = { decidedBy: `seed-${randomBytes(4).toString('hex')}`, decidedByName: 'seed-reviewer' };
  await prisma.$transaction(
    async (tx) => {
      for (const [n, t] of worst.entries()) {
        const verdict =
          n % 3 === 0
            ? { kind: 'escalate' as const }
            : { kind: 'rework' as const, comment: 'Please redo the lesion border.' };
        await decide(tx, { ...t, siteId: o.siteId }, verdict, author, null);
      }
    },
    { timeout: 120_000 },
  );
  return { siteId: o.siteId, projectId, taskIds, annotatorIds, withMetrics };
}

const isMain = import.meta.url === pathToFileURL(process.argv[1] ?? '').href;
if (isMain) {
  const arg = (name: string, dflt: string) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? (process.argv[i + 1] ?? dflt) : dflt;
  };
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('set DATABASE_URL to a migrated cloud database');
    process.exit(2);
  }
  const prisma = createPrisma(url);
  const started = Date.now();
  const out = await seedCloudQc(prisma, {
    tasks: Number(arg('tasks', '10000')),
    annotators: Number(arg('annotators', '50')),
    siteId: arg('site', 'seed-site'),
    org: arg('org', 'demo-hospital'),
    decisions: Number(arg('decisions', '300')),
    seed: arg('seed', 'annex-qc'),
  });
  console.log(
    `seeded site ${out.siteId} project ${out.projectId}: ${out.taskIds.length} tasks (${out.withMetrics} with metrics), ${out.annotatorIds.length} annotators in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  await prisma.$disconnect();
}
