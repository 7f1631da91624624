import { z } from 'zod';
import { createJsonCall, type JsonCallOptions } from './json-call.ts';

// The viewer's whole contract with the tasks/annotations API, in one module so it can be aligned
// with services/site when that lands. Everything the server sends is parsed here.

// Instructions and the annotation document are the site's own schemas (@annex/annotation-model):
// the viewer validates exactly what the server validates.
import { type AnnotationDoc, annotationDocSchema, instructionsSchema } from '@annex/annotation-model';

export {
  type AnnotationDoc,
  type AttributeDef,
  type AttributeValue,
  annotationDocSchema,
  type ClassificationDef,
  emptyDoc,
  type ImageRef,
  type Instructions,
  instructionsSchema,
  type LabelDef,
  type Mask,
  type Shape,
} from '@annex/annotation-model';

export const taskStatusSchema = z.enum([
  'todo',
  'in_progress',
  'submitted',
  'in_review',
  'rejected',
  'accepted',
]);

/** A task as an annotator sees it: whether it is a gold task is deliberately not part of this. */
export const taskSchema = z.object({
  id: z.string().min(1).max(100),
  projectId: z.string().min(1).max(100),
  projectName: z.string().max(200).optional(),
  status: taskStatusSchema,
  studyUid: z.string().regex(/^[0-9.]{1,64}$/),
  seriesUids: z.array(z.string().regex(/^[0-9.]{1,64}$/)).min(1),
  /** 0..1, for the worklist. */
  progress: z.number().min(0).max(1).default(0),
  instructions: instructionsSchema,
});
export type Task = z.infer<typeof taskSchema>;

export const revisionSchema = z.object({
  revision: z.number().int().min(0),
  doc: annotationDocSchema,
  savedAt: z.string(),
});
export type SavedRevision = z.infer<typeof revisionSchema>;

export class ApiError extends Error {
  constructor(
    readonly code:
      | 'API_UNAUTHORIZED'
      | 'API_FORBIDDEN'
      | 'API_CONFLICT'
      | 'API_INVALID'
      | 'API_FAILED'
      | 'API_OFFLINE',
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
  /** Worth retrying later without user action. */
  get transient(): boolean {
    return this.code === 'API_OFFLINE' || (this.code === 'API_FAILED' && this.status >= 500);
  }
}

export const reviewTaskSchema = z.object({
  id: z.string().min(1).max(100),
  status: z.string().max(40),
  studyUid: z.string().regex(/^[0-9.]{1,64}$/),
  seriesUids: z.array(z.string().regex(/^[0-9.]{1,64}$/)).min(1),
});
export type ReviewTask = z.infer<typeof reviewTaskSchema>;

export interface TasksApi {
  myTasks(): Promise<Task[]>;
  /** Takes the next task waiting for this annotator (404 NO_TASK_AVAILABLE when there is none). */
  claimNext(projectId?: string): Promise<Task>;
  /** A reviewer opens a task by the pseudonym the QC dashboard links with. */
  reviewTask(cloudTaskId: string): Promise<ReviewTask>;
  task(id: string): Promise<Task>;
  latestRevision(taskId: string): Promise<SavedRevision | undefined>;
  /** Saves a full document as a new revision; `clientRevisionId` makes replays idempotent. */
  saveRevision(
    taskId: string,
    body: { clientRevisionId: string; baseRevision: number; doc: AnnotationDoc },
  ): Promise<SavedRevision>;
  submit(taskId: string): Promise<void>;
}

export function createTasksApi(opts: JsonCallOptions): TasksApi {
  const call = createJsonCall(opts, {
    offline: () => new ApiError('API_OFFLINE', 0, 'the server cannot be reached'),
    refused: (r) =>
      new ApiError(
        r.status === 401
          ? 'API_UNAUTHORIZED'
          : r.status === 403
            ? 'API_FORBIDDEN'
            : r.status === 409
              ? 'API_CONFLICT'
              : r.status === 400 || r.status === 422
                ? 'API_INVALID'
                : 'API_FAILED',
        r.status,
        `${r.method} ${r.path} failed with HTTP ${r.status}${r.code ? ` ${r.code}` : ''}${r.message ? `: ${r.message}` : ''}`,
      ),
  });

  const enc = encodeURIComponent;
  return {
    myTasks: () =>
      call('GET', '/tasks?assignee=me', z.object({ items: z.array(taskSchema) })).then((r) => r.items),
    claimNext: (projectId) => call('POST', '/tasks/next', taskSchema, projectId ? { projectId } : {}),
    reviewTask: (cloudTaskId) => call('GET', `/review/tasks/${enc(cloudTaskId)}`, reviewTaskSchema),
    task: (id) => call('GET', `/tasks/${enc(id)}`, taskSchema),
    latestRevision: (id) => call('GET', `/tasks/${enc(id)}/annotation`, revisionSchema.optional()),
    saveRevision: (id, body) => call('PUT', `/tasks/${enc(id)}/annotation`, revisionSchema, body),
    submit: (id) => call('POST', `/tasks/${enc(id)}/submit`, undefined, {}),
  };
}
