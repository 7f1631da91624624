import { randomUUID } from 'node:crypto';
import type { AnnotationDoc } from '@annex/annotation-model';
import { computeQualityForTask } from '../src/modules/quality/job.ts';
import { taskContextOf } from '../src/modules/tasks/context.ts';
import type { TestSite } from './app.ts';

/** What an annotator's viewer knows of a claimed task: its id and the de-identified UIDs. */
export interface ClaimedTask {
  id: string;
  studyUid: string;
  seriesUids: string[];
}

/** Fails with the response when a step does not answer as the product does (usable outside vitest: benchmarks). */
function check(ok: boolean, what: string, body?: string): void {
  if (!ok) throw new Error(`finalizeByConsensus: ${what}${body ? `: ${body.slice(0, 500)}` : ''}`);
}

async function call(
  site: TestSite,
  user: string,
  method: 'GET' | 'POST' | 'PUT',
  url: string,
  payload?: object,
) {
  return site.app.inject({ method, url, headers: await site.auth(user), ...(payload ? { payload } : {}) });
}

/**
 * Makes a task's final label set the way the product does: each annotator claims the task, saves a document
 * and submits; the quality job computes the consensus; the cloud's QC decision (the qc.decision command,
 * applied through the site's command handler) accepts the consensus.
 */
export async function finalizeByConsensus(
  site: TestSite,
  projectId: string,
  work: { user: string; doc: (task: ClaimedTask) => AnnotationDoc }[],
): Promise<string> {
  let taskId: string | undefined;
  for (const { user, doc } of work) {
    const claimed = await call(site, user, 'POST', '/api/tasks/next', { projectId });
    check(claimed.statusCode === 200, `claim answered ${claimed.statusCode}`, claimed.body);
    const task = claimed.json() as ClaimedTask;
    taskId ??= task.id;
    check(task.id === taskId, `${user} claimed another task than the first annotator`);
    const saved = await call(site, user, 'PUT', `/api/tasks/${task.id}/annotation`, {
      clientRevisionId: randomUUID(),
      baseRevision: 0,
      doc: doc(task),
    });
    check(saved.statusCode === 200, `save answered ${saved.statusCode}`, saved.body);
    const submitted = await call(site, user, 'POST', `/api/tasks/${task.id}/submit`);
    check(submitted.statusCode === 204, `submit answered ${submitted.statusCode}`, submitted.body);
  }
  await computeQualityForTask(taskContextOf(site.app), taskId!);
  const task = await site.deps.prisma.task.findUniqueOrThrow({ where: { id: taskId! } });
  const handler = site.app.syncCommands.get('qc.decision')!;
  const applied = await site.deps.prisma.$transaction((tx) =>
    handler(
      tx as never,
      {
        decisionId: `qc_${randomUUID().replaceAll('-', '').slice(0, 20)}`,
        taskId: task.cloudId,
        taskRevision: task.revision,
        verdict: { kind: 'accept-consensus' },
      } as never,
      {} as never,
    ),
  );
  check(
    (applied as { status?: string }).status === 'applied',
    'the QC decision was not applied',
    JSON.stringify(applied),
  );
  return taskId!;
}
