import { createHash } from 'node:crypto';
import type { PrismaClient } from '@annex/cloud/db.ts';
import {
  applyAnnotatorProfile,
  applyTaskMetrics,
  applyTaskUpserted,
} from '@annex/cloud/modules/qc/ingest-repository.ts';
import type { Envelope } from '@annex/protocol';

// Seeds QC data straight through the cloud's own inbox handlers (the code that applies signed
// task.upserted / task.metrics messages), in batches, so a 10,000-task project takes seconds
// rather than a hub round trip per message. Numbers are deterministic per seed.

/** A pseudonym-shaped id, the same shape the site's keyed hashes have. */
export const pid = (kind: 'tk' | 'prj' | 'st' | 'se' | 'usr', seed: string) =>
  `${kind}_${createHash('sha256').update(seed).digest('base64url').slice(0, 20)}`;

function rng(seed: string) {
  let s = createHash('sha256').update(seed).digest().readUInt32LE(0) || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

export interface SeedOptions {
  siteId: string;
  project: string;
  tasks: number;
  annotators: number;
  /** Annotators per task. */
  perTask?: number;
  /** Display names the site sends, by annotator index (the others stay pseudonymous). */
  names?: Record<number, string>;
  goldEvery?: number;
  days?: number;
  now?: number;
}

export interface SeededTask {
  taskId: string;
  annotatorIds: string[];
  liverDice: number;
  /** Liver Dice of the first two annotators (the pairwise matrix's first cell). */
  firstPairDice: number;
  /** Active seconds of each annotator, in annotatorIds order. */
  activeSeconds: number[];
  isGold: boolean;
  status: string;
}

type Env<T extends 'task.upserted' | 'task.metrics' | 'annotator.profile'> = Envelope<T>;
const round = (v: number) => Math.round(v * 1000) / 1000;

export async function seedProject(prisma: PrismaClient, o: SeedOptions): Promise<SeededTask[]> {
  const rand = rng(`${o.siteId}/${o.project}`);
  const now = o.now ?? Date.now();
  const days = o.days ?? 21;
  const perTask = o.perTask ?? 3;
  const annotators = Array.from({ length: o.annotators }, (_, i) => pid('usr', `${o.project}/a${i}`));
  // A few annotators drift: their scores sit lower, so performance pages have someone to find.
  const skill = annotators.map((_, i) => (i % 10 === 9 ? 0.65 : 0.9));
  const projectId = pid('prj', o.project);
  const out: SeededTask[] = [];
  const CHUNK = 1000;
  for (let start = 0; start < o.tasks; start += CHUNK) {
    const ups: Env<'task.upserted'>[] = [];
    const mets: Env<'task.metrics'>[] = [];
    for (let i = start; i < Math.min(o.tasks, start + CHUNK); i++) {
      const taskId = pid('tk', `${o.project}/t${i}`);
      const picks = Array.from({ length: perTask }, (_, k) => (i * 7 + k * 13) % annotators.length);
      const ids = picks.map((k) => annotators[k] as string);
      const isGold = o.goldEvery ? i % o.goldEvery === 0 : false;
      const day0 = now - Math.floor(rand() * days) * 86_400_000 - 3 * 86_400_000;
      const fate = rand();
      const statuses =
        fate < 0.15
          ? ['pending']
          : fate < 0.6
            ? ['pending', 'submitted']
            : ['pending', 'submitted', 'accepted'];
      const status = statuses.at(-1) as string;
      const base = {
        projectId,
        studyId: pid('st', `${o.project}/t${i}`),
        seriesIds: [pid('se', `${o.project}/t${i}`)],
      };
      statuses.forEach((s, r) => {
        ups.push({
          sentAt: new Date(day0 + r * 86_400_000).toISOString(),
          body: {
            ...base,
            taskId,
            status: s as 'pending',
            assigneeIds: ids,
            labelIds: ['liver', 'lesion'],
            isGold,
            revision: r + 1,
          },
        } as Env<'task.upserted'>);
      });
      const scores = picks.map((k) =>
        round(Math.min(0.99, Math.max(0.2, (skill[k] as number) + (rand() - 0.5) * 0.2))),
      );
      const liverDice = round(Math.min(...scores) * 0.5 + 0.45 * rand() + 0.05);
      // Work numbers from the task index alone, so the agreement numbers above stay as they were.
      const activeSeconds = picks.map((k, n) => 240 + ((i * 37 + k * 53 + n * 11) % 180));
      const pairs = ids.flatMap((a, x) =>
        ids.slice(x + 1).map((b, y) => ({
          annotatorA: a,
          annotatorB: b,
          value: round(Math.min(1, ((scores[x] as number) + (scores[x + 1 + y] as number)) / 2)),
        })),
      );
      const firstPairDice = pairs[0]?.value ?? 0;
      out.push({ taskId, annotatorIds: ids, liverDice, firstPairDice, activeSeconds, isGold, status });
      if (status === 'pending') continue;
      mets.push({
        sentAt: new Date(day0 + 86_400_000).toISOString(),
        body: {
          taskId,
          projectId,
          revision: 1,
          labels: [
            {
              labelId: 'liver',
              metrics: {
                dice: liverDice,
                iou: round(liverDice / (2 - liverDice)),
                hd95_mm: round(2 + 20 * (1 - liverDice)),
              },
              pairwise: { metric: 'dice', pairs },
            },
            {
              labelId: 'lesion',
              metrics: { dice: round(0.6 + 0.35 * rand()), fleiss_kappa: round(0.5 + 0.45 * rand()) },
            },
          ],
          annotators: ids.map((a, k) => ({
            annotatorId: a,
            score: scores[k] as number,
            metrics: {
              annotator_score: scores[k] as number,
              dice: scores[k] as number,
              staple_sensitivity: round(Math.min(0.999, (scores[k] as number) + 0.05)),
              staple_specificity: 0.995,
            },
            activeSeconds: activeSeconds[k] as number,
            revisionCount: 3 + ((i + k) % 9),
            reworkCount: i % 10 === k ? 1 : 0,
          })),
        },
      } as Env<'task.metrics'>);
    }
    await prisma.$transaction(
      async (tx) => {
        await applyTaskUpserted(tx, o.siteId, ups);
        if (mets.length) await applyTaskMetrics(tx, o.siteId, mets);
      },
      { timeout: 120_000 },
    );
  }
  const profiles = Object.entries(o.names ?? {}).map(
    ([k, displayName]) =>
      ({
        sentAt: new Date(now).toISOString(),
        body: { annotatorId: annotators[Number(k)] as string, displayName },
      }) as Env<'annotator.profile'>,
  );
  if (profiles.length) await prisma.$transaction((tx) => applyAnnotatorProfile(tx, o.siteId, profiles));
  return out;
}
