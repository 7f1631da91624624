import { describe, expect, it } from 'vitest';
import { ApiError, createQcApi } from './api.ts';

// The client against a recording fetch: what goes on the wire, and how refusals come back.
function recorder(answer: (url: string, init: RequestInit) => Response) {
  const calls: { url: string; init: RequestInit }[] = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    calls.push({ url, init });
    return answer(url, init);
  }) as unknown as typeof fetch;
  return { calls, fetchFn };
}
const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('the QC API client', () => {
  it('sends the bearer token and the queue query with sort and page', async () => {
    const r = recorder(() => json({ tasks: [], total: 0, limit: 50, offset: 100 }));
    const api = createQcApi({
      baseUrl: 'http://cloud/api/',
      getToken: async () => 'tok',
      fetchFn: r.fetchFn,
    });
    await api.tasks({ flag: 'low_agreement', maxAgreement: 0.5, sort: '-updated', offset: 100 });
    const url = new URL(r.calls[0]!.url);
    expect(url.pathname).toBe('/api/qc/tasks');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      flag: 'low_agreement',
      maxAgreement: '0.5',
      sort: '-updated',
      limit: '50',
      offset: '100',
    });
    expect(new Headers(r.calls[0]!.init.headers).get('authorization')).toBe('Bearer tok');
  });

  it('sends a bulk decision with the status list as an array and the count the reviewer saw', async () => {
    const r = recorder(() => json({ bulkId: 'b1', count: 3 }, 202));
    const api = createQcApi({ baseUrl: 'http://cloud/api', getToken: async () => 'tok', fetchFn: r.fetchFn });
    await api.decideBulk({ projectId: 'prj_x', status: 'submitted,in_review' }, { kind: 'escalate' }, 3);
    expect(JSON.parse(String(r.calls[0]!.init.body))).toEqual({
      filter: { projectId: 'prj_x', status: ['submitted', 'in_review'] },
      verdict: { kind: 'escalate' },
      expectedCount: 3,
    });
  });

  it('turns a refusal into an ApiError with the server’s code and message', async () => {
    const r = recorder(() => json({ error: { code: 'TASK_CHANGED', message: 'The task changed.' } }, 409));
    const api = createQcApi({ baseUrl: 'http://cloud/api', getToken: async () => 'tok', fetchFn: r.fetchFn });
    const err = await api.decide('s', 'tk_x', { kind: 'escalate' }, 2).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'TASK_CHANGED', message: 'The task changed.' });
  });

  it('rejects an answer that does not have the documented shape', async () => {
    const r = recorder(() => json({ tasks: 'nope' }));
    const api = createQcApi({ baseUrl: 'http://cloud/api', getToken: async () => 'tok', fetchFn: r.fetchFn });
    await expect(api.tasks({ sort: 'agreement', offset: 0 })).rejects.toThrow();
  });
});
