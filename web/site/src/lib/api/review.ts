import { annotationDocSchema, instructionsSchema } from '@annex/annotation-model';
import { z } from 'zod';
import { createJsonCall, type JsonCallOptions } from './json-call.ts';

// The reviewer's contract with the site's review stage (services/site src/modules/tasks/review.ts).
// Everything the server sends is parsed here; errors keep the server's stable code.

const uid = z.string().regex(/^[0-9.]{1,64}$/);

export const reviewQueueItemSchema = z.object({
  assignmentId: z.string().uuid(),
  taskId: z.string().uuid(),
  annotator: z.string().max(200),
  submittedAt: z.string().nullable(),
  revision: z.number().int().min(0),
  reworkCount: z.number().int().min(0),
  activeSeconds: z.number().int().min(0),
});
export type ReviewQueueItem = z.infer<typeof reviewQueueItemSchema>;

export const reviewedWorkSchema = z.object({
  assignmentId: z.string().uuid(),
  annotator: z.string().max(200),
  submittedAt: z.string().nullable(),
  reworkCount: z.number().int().min(0),
  revision: z.number().int().min(0),
  task: z.object({
    id: z.string().uuid(),
    projectId: z.string().uuid(),
    projectName: z.string().max(200),
    studyUid: uid,
    seriesUids: z.array(uid).min(1),
    instructions: instructionsSchema,
    instructionsVersion: z.number().int(),
  }),
  doc: annotationDocSchema,
});
export type ReviewedWork = z.infer<typeof reviewedWorkSchema>;

const projectsSchema = z.object({
  items: z.array(z.object({ id: z.string(), slug: z.string(), name: z.string() })),
});

export class ReviewApiError extends Error {
  constructor(
    /** The server's stable code (NOT_A_REVIEWER, NOT_AWAITING_REVIEW, REVIEW_OWN_WORK, …) or API_OFFLINE. */
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ReviewApi {
  projects(): Promise<{ id: string; slug: string; name: string }[]>;
  queue(projectId: string): Promise<ReviewQueueItem[]>;
  open(assignmentId: string): Promise<ReviewedWork>;
  approve(assignmentId: string): Promise<{ taskId: string; taskComplete: boolean }>;
  sendBack(assignmentId: string, comment: string): Promise<{ taskId: string }>;
}

export function createReviewApi(opts: JsonCallOptions): ReviewApi {
  const call = createJsonCall(opts, {
    offline: () => new ReviewApiError('API_OFFLINE', 0, 'The server cannot be reached.'),
    refused: (r) =>
      new ReviewApiError(
        r.code ?? 'API_FAILED',
        r.status,
        r.message ?? `${r.method} ${r.path} failed with HTTP ${r.status}`,
      ),
  });

  const enc = encodeURIComponent;
  return {
    projects: () => call('GET', '/projects', projectsSchema).then((r) => r.items),
    queue: (projectId) =>
      call(
        'GET',
        `/review/queue?projectId=${enc(projectId)}`,
        z.object({ items: z.array(reviewQueueItemSchema) }),
      ).then((r) => r.items),
    open: (id) => call('GET', `/review/assignments/${enc(id)}`, reviewedWorkSchema),
    approve: (id) =>
      call(
        'POST',
        `/review/assignments/${enc(id)}/approve`,
        z.object({ taskId: z.string(), taskComplete: z.boolean() }),
        {},
      ),
    sendBack: (id, comment) =>
      call('POST', `/review/assignments/${enc(id)}/rework`, z.object({ taskId: z.string() }), { comment }),
  };
}

/** What a reviewer reads at a glance: per label, how many shapes or mask slices, and the answers given. */
export function summarizeWork(work: ReviewedWork): { label: string; count: number; kind: string }[] {
  const { instructions } = work.task;
  const rows = instructions.labels.map((l) => {
    const shapes = work.doc.shapes.filter((s) => s.labelId === l.id).length;
    const slices = work.doc.masks.filter((m) => m.labelId === l.id).reduce((n, m) => n + m.slices.length, 0);
    return {
      label: l.name,
      count: l.tool === 'mask' ? slices : shapes,
      kind: l.tool === 'mask' ? 'mask slices' : l.tool,
    };
  });
  for (const c of instructions.classifications) {
    const answers = Object.values(work.doc.classifications[c.id] ?? {}).filter((v) => v !== null);
    rows.push({ label: c.label, count: answers.length, kind: 'answers' });
  }
  return rows;
}
