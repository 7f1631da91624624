import type { z } from 'zod';
import type { TokenGetter } from '../dicomweb/client.ts';

// One way to call the site's JSON API: bearer token, JSON body, the server's error shape
// `{ error: { code, message } }` read once, the answer parsed by its schema. Each API module
// turns failures into its own error type.

export interface JsonCallOptions {
  baseUrl: string;
  getToken: TokenGetter;
  fetch?: typeof fetch;
}

/** What the server said when it refused: the HTTP status and its stable code and message, if any. */
export interface Refusal {
  method: string;
  path: string;
  status: number;
  code?: string;
  message?: string;
}

export type JsonCall = <T>(
  method: string,
  path: string,
  schema: z.ZodType<T> | undefined,
  body?: unknown,
) => Promise<T>;

export function createJsonCall(
  opts: JsonCallOptions,
  errors: { offline: () => Error; refused: (r: Refusal) => Error },
): JsonCall {
  const doFetch = opts.fetch ?? ((...a: Parameters<typeof fetch>) => fetch(...a));
  const base = opts.baseUrl.replace(/\/+$/, '');
  return async <T>(method: string, path: string, schema: z.ZodType<T> | undefined, body?: unknown) => {
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
      throw errors.offline();
    }
    if (!res.ok) {
      const refusal: Refusal = { method, path, status: res.status };
      try {
        const j = (await res.json()) as { error?: { code?: unknown; message?: unknown } };
        if (typeof j.error?.code === 'string') refusal.code = j.error.code;
        if (typeof j.error?.message === 'string') refusal.message = j.error.message.slice(0, 300);
      } catch {
        // no JSON body
      }
      throw errors.refused(refusal);
    }
    if (!schema || res.status === 204) return undefined as T;
    return schema.parse(await res.json());
  };
}
