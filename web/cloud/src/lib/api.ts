import type { z } from 'zod';
import {
  annotatorsSchema,
  decisionSchema,
  overviewSchema,
  performanceSchema,
  projectsSchema,
  settingsSchema,
  statusSchema,
  type Thresholds,
  taskDetailSchema,
  taskListSchema,
} from './api-schemas.ts';
import { filterOf, type QueueFilter, type QueueQuery, toSearch } from './queue-filter.ts';

export type TokenGetter = () => Promise<string | undefined>;

export type Verdict =
  | { kind: 'accept-consensus' }
  | { kind: 'accept-annotator'; annotatorId: string }
  | { kind: 'rework'; comment: string }
  | { kind: 'escalate' };

/** An API refusal with the server's stable code and its message (which says how to act). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const PAGE_SIZE = 50;

/** The QC API, with the session's bearer token on every request. */
export function createQcApi(opts: { baseUrl: string; getToken: TokenGetter; fetchFn?: typeof fetch }) {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const fetchFn = opts.fetchFn ?? ((...a: Parameters<typeof fetch>) => fetch(...a));

  async function request(path: string, init: RequestInit = {}): Promise<Response> {
    const token = await opts.getToken();
    const headers = new Headers(init.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    if (init.body) headers.set('content-type', 'application/json');
    const res = await fetchFn(`${base}${path}`, { ...init, headers });
    if (!res.ok) {
      const body = (await res.json().catch(() => undefined)) as
        | { error?: { code?: string; message?: string } }
        | undefined;
      throw new ApiError(
        res.status,
        body?.error?.code ?? `HTTP_${res.status}`,
        body?.error?.message ?? `The cloud answered HTTP ${res.status}.`,
      );
    }
    return res;
  }
  async function json<S extends z.ZodType>(
    schema: S,
    path: string,
    init?: RequestInit,
  ): Promise<z.output<S>> {
    const parsed = schema.safeParse(await (await request(path, init)).json());
    if (parsed.success) return parsed.data;
    const where = parsed.error.issues[0]?.path.join('.') ?? '';
    throw new ApiError(
      502,
      'UNEXPECTED_RESPONSE',
      `The cloud answered ${path} in a shape this page does not know (${where}); reload, or report it.`,
    );
  }
  const project = (siteId: string, projectId: string) =>
    `/qc/projects/${encodeURIComponent(siteId)}/${encodeURIComponent(projectId)}`;

  return {
    projects: () => json(projectsSchema, '/qc/projects'),
    overview: (siteId: string, projectId: string) =>
      json(overviewSchema, `${project(siteId, projectId)}/overview`),
    status: () => json(statusSchema, '/status'),
    tasks: (q: QueueQuery, limit = PAGE_SIZE) => {
      const s = toSearch(q);
      const params = new URLSearchParams(s);
      params.set('sort', q.sort);
      params.set('limit', String(limit));
      params.set('offset', String(q.offset));
      return json(taskListSchema, `/qc/tasks?${params}`);
    },
    task: (siteId: string, taskId: string) =>
      json(taskDetailSchema, `/qc/tasks/${encodeURIComponent(siteId)}/${encodeURIComponent(taskId)}`),
    decide: (siteId: string, taskId: string, verdict: Verdict, taskRevision?: number) =>
      json(
        decisionSchema,
        `/qc/tasks/${encodeURIComponent(siteId)}/${encodeURIComponent(taskId)}/decisions`,
        {
          method: 'POST',
          body: JSON.stringify({ verdict, ...(taskRevision ? { taskRevision } : {}) }),
        },
      ),
    decideBulk: async (filter: QueueFilter, verdict: Verdict, expectedCount: number) => {
      const f = filterOf(filter);
      const body = {
        filter: { ...f, ...(f.status ? { status: f.status.split(',') } : {}) },
        verdict,
        expectedCount,
      };
      const res = await request('/qc/decisions/bulk', { method: 'POST', body: JSON.stringify(body) });
      return (await res.json()) as { bulkId: string; count: number };
    },
    decisions: async (query: Record<string, string>) => {
      const res = await request(`/qc/decisions?${new URLSearchParams(query)}`);
      const body = (await res.json()) as { decisions: unknown[] };
      return body.decisions.map((d) => decisionSchema.parse(d));
    },
    annotators: (siteId: string, projectId: string) =>
      json(annotatorsSchema, `${project(siteId, projectId)}/annotators`),
    performance: (siteId: string, projectId: string, annotatorId: string) =>
      json(
        performanceSchema,
        `${project(siteId, projectId)}/annotators/${encodeURIComponent(annotatorId)}/performance`,
      ),
    /** The CSV as text (fetched with the token, so it cannot be a plain link). */
    annotatorsCsv: async (siteId: string, projectId: string) =>
      (await request(`${project(siteId, projectId)}/annotators.csv`)).text(),
    settings: (siteId: string, projectId: string) =>
      json(settingsSchema, `${project(siteId, projectId)}/settings`),
    changeSettings: async (
      siteId: string,
      projectId: string,
      s: { consensusSize: number; goldRate: number; flagThresholds: Thresholds },
    ) => {
      const res = await request(`${project(siteId, projectId)}/settings`, {
        method: 'PUT',
        body: JSON.stringify(s),
      });
      return (await res.json()) as { revision: number; reflaggedTasks: number };
    },
  };
}
export type QcApi = ReturnType<typeof createQcApi>;
