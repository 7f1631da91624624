import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AnnotationDoc, Task } from '../src/lib/api/tasks.ts';

// An in-memory stand-in for the site's tasks/annotations API, shaped by src/lib/api/tasks.ts.
export function fakeTasksApi(tasks: Task[], token?: string) {
  const state = {
    revisions: new Map<string, Array<{ clientRevisionId: string; doc: AnnotationDoc }>>(),
    submitted: new Set<string>(),
  };
  const json = (res: ServerResponse, status: number, body?: unknown) => {
    res
      .writeHead(status, { 'Content-Type': 'application/json' })
      .end(body === undefined ? undefined : JSON.stringify(body));
  };
  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!url.pathname.startsWith('/api/')) return false;
    if (token && req.headers.authorization !== `Bearer ${token}`) {
      json(res, 401, { message: 'token required' });
      return true;
    }
    const m = url.pathname.match(/^\/api\/tasks(?:\/([^/]+))?(?:\/(annotation|submit))?$/);
    const task = m?.[1] ? tasks.find((t) => t.id === decodeURIComponent(m[1] as string)) : undefined;
    if (!m) {
      json(res, 404, { message: 'no route' });
      return true;
    }
    if (!m[1] && req.method === 'GET') {
      json(res, 200, { items: tasks });
      return true;
    }
    if (!task) {
      json(res, 404, { message: 'no such task' });
      return true;
    }
    const revs = state.revisions.get(task.id) ?? [];
    if (!m[2] && req.method === 'GET') {
      json(res, 200, task);
      return true;
    }
    if (m[2] === 'annotation' && req.method === 'GET') {
      const last = revs.at(-1);
      if (last) json(res, 200, { revision: revs.length, doc: last.doc, savedAt: new Date().toISOString() });
      else json(res, 204);
      return true;
    }
    let body = '';
    req.on('data', (d: Buffer) => {
      body += d.toString();
    });
    req.on('end', () => {
      if (m[2] === 'annotation' && req.method === 'PUT') {
        const b = JSON.parse(body) as { clientRevisionId: string; doc: AnnotationDoc };
        if (!revs.some((r) => r.clientRevisionId === b.clientRevisionId)) revs.push(b);
        state.revisions.set(task.id, revs);
        json(res, 200, { revision: revs.length, doc: b.doc, savedAt: new Date().toISOString() });
      } else if (m[2] === 'submit' && req.method === 'POST') {
        state.submitted.add(task.id);
        task.status = 'submitted';
        json(res, 204);
      } else json(res, 405, { message: 'method not allowed' });
    });
    return true;
  }
  return { handle, state, latest: (taskId: string) => state.revisions.get(taskId)?.at(-1)?.doc };
}
