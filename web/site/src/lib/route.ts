// Hash routes, so the site can serve index.html at `/` with no server-side routing.
export type Route =
  | { name: 'browse' }
  /** `projectId` lets the viewer read from the project's DICOMweb root before the task has loaded. */
  | { name: 'view'; studyUid: string; seriesUid: string; taskId?: string; projectId?: string }
  | { name: 'tasks' }
  /** A reviewer's queue of submitted work (the project's review stage). */
  | { name: 'review' }
  /** From the QC dashboard: a task named by its pseudonym, opened by a reviewer. */
  | { name: 'qc-task'; cloudTaskId: string }
  /** Label exports of a project (site administrators). */
  | { name: 'exports' };

const UID = /^[0-9.]{1,64}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean);
  if (parts[0] === 'view' && parts[1] && parts[2] && UID.test(parts[1]) && UID.test(parts[2])) {
    const q = new URLSearchParams(query);
    const taskId = q.get('task') ?? undefined;
    const projectId = q.get('project') ?? undefined;
    return {
      name: 'view',
      studyUid: parts[1],
      seriesUid: parts[2],
      ...(taskId ? { taskId } : {}),
      ...(taskId && projectId && UUID.test(projectId) ? { projectId } : {}),
    };
  }
  if (parts[0] === 'tasks') return { name: 'tasks' };
  if (parts[0] === 'review') return { name: 'review' };
  if (parts[0] === 'exports') return { name: 'exports' };
  if (parts[0] === 'qc-task' && parts[1] && /^tk_[A-Za-z0-9_-]{16,64}$/.test(parts[1])) {
    return { name: 'qc-task', cloudTaskId: parts[1] };
  }
  return { name: 'browse' };
}

export function viewHref(studyUid: string, seriesUid: string, taskId?: string, projectId?: string): string {
  const q = new URLSearchParams();
  if (taskId) q.set('task', taskId);
  if (taskId && projectId) q.set('project', projectId);
  const query = q.toString();
  return `#/view/${studyUid}/${seriesUid}${query ? `?${query}` : ''}`;
}
