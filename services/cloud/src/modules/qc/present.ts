import type { DecisionRow, TaskRow } from './repository.ts';
import { travelState } from './travel-state.ts';

// JSON shapes of the QC API (bigints as numbers, dates as ISO 8601 UTC).

const iso = (d: Date | null) => d?.toISOString() ?? null;

export function presentDecision(d: DecisionRow) {
  return {
    decisionId: d.id,
    siteId: d.siteId,
    taskId: d.taskId,
    projectId: d.projectId,
    taskRevision: Number(d.taskRevision),
    verdict: d.verdict,
    annotatorId: d.annotatorId,
    comment: d.comment,
    decidedBy: { sub: d.decidedBy, username: d.decidedByName },
    bulkId: d.bulkId,
    createdAt: d.createdAt.toISOString(),
    command: travelState(d.commandSeq, d),
  };
}

export function presentTask(t: TaskRow, lastDecision: DecisionRow | undefined) {
  return {
    siteId: t.siteId,
    taskId: t.taskId,
    projectId: t.projectId,
    studyId: t.studyId,
    status: t.status,
    isGold: t.isGold,
    revision: Number(t.revision),
    assigneeIds: t.assigneeIds,
    labelIds: t.labelIds,
    modalities: t.modalities,
    metricsRevision: t.metricsRevision === null ? null : Number(t.metricsRevision),
    metricsAt: iso(t.metricsAt),
    agreement: t.agreement,
    minDice: t.minDice,
    minKappa: t.minKappa,
    maxHd95Mm: t.maxHd95Mm,
    minAnnotatorScore: t.minAnnotatorScore,
    annotatorCount: t.annotatorCount,
    flags: t.flags,
    firstSeenAt: t.firstSeenAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
    final: t.finalizedAt
      ? { at: iso(t.finalizedAt), method: t.finalMethod, annotatorId: t.finalAnnotatorId }
      : null,
    lastDecision: lastDecision
      ? {
          decisionId: lastDecision.id,
          verdict: lastDecision.verdict,
          createdAt: lastDecision.createdAt.toISOString(),
          state: travelState(lastDecision.commandSeq, lastDecision).state,
        }
      : null,
  };
}
