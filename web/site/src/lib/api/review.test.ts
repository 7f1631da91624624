import { describe, expect, it } from 'vitest';
import { createReviewApi, ReviewApiError, type ReviewedWork, summarizeWork } from './review.ts';

// fetch is the edge here: a fake one answers as the site does (the site's side is tested in
// services/site src/modules/tasks/review.test.ts against real Postgres).
function fakeFetch(status: number, body: unknown, seen: { url: string; init?: RequestInit }[]) {
  return (async (url: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(url), ...(init ? { init } : {}) });
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
}
const A = '11111111-1111-4111-8111-111111111111';
const T = '22222222-2222-4222-8222-222222222222';

describe('review API client', () => {
  it('lists the queue of a project with the bearer token', async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const item = {
      assignmentId: A,
      taskId: T,
      annotator: 'ana',
      submittedAt: null,
      revision: 2,
      reworkCount: 1,
      activeSeconds: 30,
    };
    const api = createReviewApi({
      baseUrl: 'http://s/api/',
      getToken: async () => 'tok',
      fetch: fakeFetch(200, { items: [item] }, seen),
    });
    expect(await api.queue(T)).toEqual([item]);
    expect(seen[0]!.url).toBe(`http://s/api/review/queue?projectId=${T}`);
    expect((seen[0]!.init!.headers as Record<string, string>).Authorization).toBe('Bearer tok');
  });

  it('sends a rework comment and keeps the server error code on refusal', async () => {
    const seen: { url: string; init?: RequestInit }[] = [];
    const api = createReviewApi({
      baseUrl: '/api',
      getToken: async () => undefined,
      fetch: fakeFetch(
        403,
        { error: { code: 'REVIEW_OWN_WORK', message: 'You cannot review your own annotations.' } },
        seen,
      ),
    });
    const refused = await api.sendBack(A, 'redo the box').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ReviewApiError);
    expect(refused).toMatchObject({
      code: 'REVIEW_OWN_WORK',
      status: 403,
      message: 'You cannot review your own annotations.',
    });
    expect(seen[0]!.url).toBe(`/api/review/assignments/${A}/rework`);
    expect(JSON.parse(String(seen[0]!.init!.body))).toEqual({ comment: 'redo the box' });
  });

  it('summarizes a document per label for the reviewer', () => {
    const work = {
      task: {
        instructions: {
          text: '',
          examples: [],
          labels: [
            { id: 'n', name: 'Nodule', color: '#fff', tool: 'bbox', required: false, attributes: [] },
            { id: 'l', name: 'Lesion', color: '#fff', tool: 'mask', required: false, attributes: [] },
          ],
          classifications: [
            { id: 'q', label: 'Quality', level: 'study', type: 'select', options: ['good'], required: false },
          ],
        },
      },
      doc: {
        shapes: [{ labelId: 'n' }, { labelId: 'n' }],
        masks: [{ labelId: 'l', slices: [{}, {}, {}] }],
        classifications: { q: { study: 'good' } },
      },
    } as unknown as ReviewedWork;
    expect(summarizeWork(work)).toEqual([
      { label: 'Nodule', count: 2, kind: 'bbox' },
      { label: 'Lesion', count: 3, kind: 'mask slices' },
      { label: 'Quality', count: 1, kind: 'answers' },
    ]);
  });
});
