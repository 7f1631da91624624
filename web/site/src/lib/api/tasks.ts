import { z } from 'zod';
import type { TokenGetter } from '../dicomweb/client.ts';

// The viewer's whole contract with the tasks/annotations API, in one module so it can be aligned
// with services/site when that lands. Everything the server sends is parsed here.

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}$/);

export const attributeDefSchema = z.object({
  id: z.string().min(1).max(64),
  label: z.string().min(1).max(200),
  type: z.enum(['select', 'multiselect', 'boolean', 'number', 'text']),
  options: z.array(z.string().min(1).max(200)).max(100).optional(),
  required: z.boolean().default(false),
  min: z.number().optional(),
  max: z.number().optional(),
});
export type AttributeDef = z.infer<typeof attributeDefSchema>;

export const labelDefSchema = z.object({
  id: z.string().min(1).max(64),
  name: z.string().min(1).max(200),
  color: hexColor,
  /** How this label is drawn. */
  tool: z.enum(['bbox', 'polygon', 'freehand', 'point', 'mask']),
  /** Submit is refused until at least one instance of a required label exists. */
  required: z.boolean().default(false),
  attributes: z.array(attributeDefSchema).max(50).default([]),
  /** For masks: the HU range the threshold brush paints by default. */
  threshold: z.tuple([z.number(), z.number()]).optional(),
});
export type LabelDef = z.infer<typeof labelDefSchema>;

export const classificationDefSchema = attributeDefSchema.extend({
  level: z.enum(['study', 'series', 'image']),
});
export type ClassificationDef = z.infer<typeof classificationDefSchema>;

export const instructionsSchema = z.object({
  text: z.string().max(20_000).default(''),
  labels: z.array(labelDefSchema).max(200),
  classifications: z.array(classificationDefSchema).max(100).default([]),
});
export type Instructions = z.infer<typeof instructionsSchema>;

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

export type AttributeValue = string | number | boolean | string[] | null;

/** A point in image pixel coordinates (column, row) of one frame. */
export const imageRefSchema = z.object({
  seriesUid: z.string(),
  sopInstanceUid: z.string(),
  frame: z.number().int().min(1),
});
export type ImageRef = z.infer<typeof imageRefSchema>;

const attributeValueSchema: z.ZodType<AttributeValue> = z.union([
  z.string().max(2000),
  z.number(),
  z.boolean(),
  z.array(z.string().max(200)).max(100),
  z.null(),
]);

export const shapeSchema = z.object({
  id: z.string().min(1).max(100),
  labelId: z.string(),
  kind: z.enum(['bbox', 'polygon', 'freehand', 'point']),
  image: imageRefSchema,
  /** [column, row] pairs; a bbox is two corners, a point one. */
  points: z.array(z.tuple([z.number(), z.number()])).max(10_000),
  attributes: z.record(z.string(), attributeValueSchema).default({}),
});
export type Shape = z.infer<typeof shapeSchema>;

/** One frame of a mask, run-length encoded over the frame's pixels in row-major order. */
export const maskSliceSchema = z.object({
  image: imageRefSchema,
  /** Alternating run lengths, starting with a run of zeros: [zeros, ones, zeros, ones, …]. */
  runs: z.array(z.number().int().min(0)),
});
export const maskSchema = z.object({
  labelId: z.string(),
  rows: z.number().int().positive(),
  columns: z.number().int().positive(),
  slices: z.array(maskSliceSchema),
});
export type Mask = z.infer<typeof maskSchema>;

export const annotationDocSchema = z.object({
  shapes: z.array(shapeSchema),
  masks: z.array(maskSchema),
  /** Keyed by classification id, then by level target ("study", a series UID or "<sop>/<frame>"). */
  classifications: z.record(z.string(), z.record(z.string(), attributeValueSchema)),
});
export type AnnotationDoc = z.infer<typeof annotationDocSchema>;

export const emptyDoc = (): AnnotationDoc => ({ shapes: [], masks: [], classifications: {} });

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

export interface TasksApi {
  myTasks(): Promise<Task[]>;
  task(id: string): Promise<Task>;
  latestRevision(taskId: string): Promise<SavedRevision | undefined>;
  /** Saves a full document as a new revision; `clientRevisionId` makes replays idempotent. */
  saveRevision(
    taskId: string,
    body: { clientRevisionId: string; baseRevision: number; doc: AnnotationDoc },
  ): Promise<SavedRevision>;
  submit(taskId: string): Promise<void>;
}

export function createTasksApi(opts: {
  baseUrl: string;
  getToken: TokenGetter;
  fetch?: typeof fetch;
}): TasksApi {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const base = opts.baseUrl.replace(/\/+$/, '');

  async function call<T>(
    method: string,
    path: string,
    schema: z.ZodType<T> | undefined,
    body?: unknown,
  ): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const token = await opts.getToken();
    if (token) headers.Authorization = `Bearer ${token}`;
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError('API_OFFLINE', 0, 'the server cannot be reached');
    }
    if (!res.ok) {
      const code =
        res.status === 401
          ? 'API_UNAUTHORIZED'
          : res.status === 403
            ? 'API_FORBIDDEN'
            : res.status === 409
              ? 'API_CONFLICT'
              : res.status === 400 || res.status === 422
                ? 'API_INVALID'
                : 'API_FAILED';
      let detail = '';
      try {
        const j = (await res.json()) as { message?: unknown };
        if (typeof j.message === 'string') detail = `: ${j.message.slice(0, 300)}`;
      } catch {
        // no JSON body
      }
      throw new ApiError(code, res.status, `${method} ${path} failed with HTTP ${res.status}${detail}`);
    }
    if (!schema) return undefined as T;
    if (res.status === 204) return undefined as T;
    return schema.parse(await res.json());
  }

  const enc = encodeURIComponent;
  return {
    myTasks: () =>
      call('GET', '/tasks?assignee=me', z.object({ items: z.array(taskSchema) })).then((r) => r.items),
    task: (id) => call('GET', `/tasks/${enc(id)}`, taskSchema),
    latestRevision: (id) => call('GET', `/tasks/${enc(id)}/annotation`, revisionSchema.optional()),
    saveRevision: (id, body) => call('PUT', `/tasks/${enc(id)}/annotation`, revisionSchema, body),
    submit: (id) => call('POST', `/tasks/${enc(id)}/submit`, undefined, {}),
  };
}
