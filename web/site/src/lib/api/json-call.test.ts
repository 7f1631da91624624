import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createJsonCall, type Refusal } from './json-call.ts';
import { ApiError, createTasksApi } from './tasks.ts';

// The fetch here is the edge (no server); the site's real answers are covered by the e2e tests.
const answering = (status: number, body: unknown) => async () =>
  new Response(body === undefined ? null : JSON.stringify(body), { status });

describe('createJsonCall', () => {
  it('sends the token and the JSON body, and parses the answer with its schema', async () => {
    let seen: RequestInit | undefined;
    const call = createJsonCall(
      {
        baseUrl: '/api/',
        getToken: async () => 't0k',
        fetch: async (_url, init) => {
          seen = init;
          return new Response(JSON.stringify({ n: 2 }), { status: 200 });
        },
      },
      { offline: () => new Error('offline'), refused: () => new Error('refused') },
    );
    expect(await call('POST', '/x', z.object({ n: z.number() }), { a: 1 })).toEqual({ n: 2 });
    expect((seen?.headers as Record<string, string> | undefined)?.Authorization).toBe('Bearer t0k');
    expect(seen?.body).toBe('{"a":1}');
  });

  it("reads the server's stable code and message from its one error shape", async () => {
    let refusal: Refusal | undefined;
    const call = createJsonCall(
      {
        baseUrl: '/api',
        getToken: async () => undefined,
        fetch: answering(409, { error: { code: 'REVISION_CONFLICT', message: 'Someone saved first.' } }),
      },
      {
        offline: () => new Error('offline'),
        refused: (r) => {
          refusal = r;
          return new Error('refused');
        },
      },
    );
    await expect(call('PUT', '/tasks/1/annotation', undefined, {})).rejects.toThrow('refused');
    expect(refusal).toEqual({
      method: 'PUT',
      path: '/tasks/1/annotation',
      status: 409,
      code: 'REVISION_CONFLICT',
      message: 'Someone saved first.',
    });
  });

  it('makes the tasks API name the server code and message, and offline transient', async () => {
    const refused = createTasksApi({
      baseUrl: '/api',
      getToken: async () => undefined,
      fetch: answering(422, { error: { code: 'ANNOTATION_INVALID', message: 'label "Lesion" is required' } }),
    });
    const err = await refused.submit('t1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('API_INVALID');
    expect((err as ApiError).message).toContain('ANNOTATION_INVALID: label "Lesion" is required');
    const offline = createTasksApi({
      baseUrl: '/api',
      getToken: async () => undefined,
      fetch: async () => {
        throw new TypeError('network');
      },
    });
    const gone = await offline.myTasks().catch((e: unknown) => e);
    expect((gone as ApiError).transient).toBe(true);
  });
});
