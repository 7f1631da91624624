import { createHash } from 'node:crypto';
import type { AnyEnvelope, BodyOf, KeyPair, SiteToCloudType } from '@annex/protocol';
import type { TestCloud } from '../../../test/app.ts';
import { FakeSite } from '../../../test/fake-site.ts';
import { registerTestSite } from '../../../test/fixtures.ts';

// Test support for the QC module (used by its tests only): a site that sends QC messages through
// the real hub, numbering them itself, and answers cloud commands with command.result.

/** A pseudonym-shaped id (not a site's keyed hash). */
export const pid = (kind: 'tk' | 'prj' | 'st' | 'se' | 'usr' | 'ann', seed: string) =>
  `${kind}_${createHash('sha256').update(seed).digest('base64url').slice(0, 20)}`;

export class QcTestSite {
  private seq = 0;
  private constructor(
    readonly site: FakeSite,
    readonly siteId: string,
  ) {}

  static async connect(cloud: TestCloud, siteId: string, org: string): Promise<QcTestSite> {
    const key: KeyPair = await registerTestSite(cloud, siteId, org);
    return new QcTestSite(await FakeSite.connect(cloud.syncUrl, siteId, key, cloud.cloudKey), siteId);
  }

  /** Sends messages in one burst (one inbox batch where the hub batches) and waits for the ack. */
  async send(...messages: { [T in SiteToCloudType]: { type: T; body: BodyOf<T> } }[SiteToCloudType][]) {
    for (const m of messages) {
      this.seq += 1;
      this.site.send(this.site.seal({ type: m.type, seq: this.seq, body: m.body } as never));
    }
    await this.site.waitForAck(this.seq);
  }

  /** Waits for a cloud command of this type and returns it. */
  async command<T extends AnyEnvelope['type']>(type: T, predicate: (e: AnyEnvelope) => boolean = () => true) {
    await this.site.waitFor((r) => r.some((e) => e.type === type && predicate(e)));
    return this.site.received.filter((e) => e.type === type && predicate(e)).at(-1) as Extract<
      AnyEnvelope,
      { type: T }
    >;
  }

  close() {
    this.site.close();
  }
}

export interface TaskSeed {
  project: string;
  task: string;
  revision?: number;
  status?: BodyOf<'task.upserted'>['status'];
  isGold?: boolean;
  annotators?: string[];
}

export function taskUpserted(s: TaskSeed): { type: 'task.upserted'; body: BodyOf<'task.upserted'> } {
  return {
    type: 'task.upserted',
    body: {
      taskId: pid('tk', s.task),
      projectId: pid('prj', s.project),
      studyId: pid('st', s.task),
      seriesIds: [pid('se', s.task)],
      status: s.status ?? 'submitted',
      assigneeIds: (s.annotators ?? ['a1', 'a2', 'a3']).map((a) => pid('usr', a)),
      labelIds: ['liver', 'lesion'],
      isGold: s.isGold ?? false,
      revision: s.revision ?? 1,
    },
  };
}

export function taskMetrics(
  s: { project: string; task: string; revision?: number },
  labels: Record<string, Record<string, number>>,
  scores: Record<string, number>,
): { type: 'task.metrics'; body: BodyOf<'task.metrics'> } {
  return {
    type: 'task.metrics',
    body: {
      taskId: pid('tk', s.task),
      projectId: pid('prj', s.project),
      revision: s.revision ?? 1,
      labels: Object.entries(labels).map(([labelId, metrics]) => ({ labelId, metrics })),
      annotators: Object.entries(scores).map(([a, score]) => ({
        annotatorId: pid('usr', a),
        score,
        metrics: { annotator_score: score, dice: score, staple_sensitivity: score, staple_specificity: 0.99 },
      })),
    },
  };
}
