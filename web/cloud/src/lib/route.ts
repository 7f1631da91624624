// Hash routes, so the cloud serves index.html at `/` with no server-side routing.
export type Route =
  | { name: 'overview'; siteId?: string; projectId?: string }
  | { name: 'queue'; search: URLSearchParams }
  | { name: 'task'; siteId: string; taskId: string }
  | { name: 'annotators'; siteId: string; projectId: string }
  | { name: 'settings'; siteId: string; projectId: string }
  | { name: 'decisions'; search: URLSearchParams };

// Pseudonyms and site ids: letters, digits, _ and - only (never a real UID or a name).
const ID = /^[A-Za-z0-9_-]{1,80}$/;

export function parseRoute(hash: string): Route {
  const [path = '', query = ''] = hash.replace(/^#/, '').split('?');
  const [head, a, b] = path.split('/').filter(Boolean);
  const ids = a !== undefined && b !== undefined && ID.test(a) && ID.test(b);
  if (head === 'queue') return { name: 'queue', search: new URLSearchParams(query) };
  if (head === 'decisions') return { name: 'decisions', search: new URLSearchParams(query) };
  if (head === 'task' && ids) return { name: 'task', siteId: a, taskId: b };
  if (head === 'annotators' && ids) return { name: 'annotators', siteId: a, projectId: b };
  if (head === 'settings' && ids) return { name: 'settings', siteId: a, projectId: b };
  if (head === 'overview' && ids) return { name: 'overview', siteId: a, projectId: b };
  return { name: 'overview' };
}

export const href = {
  overview: (siteId?: string, projectId?: string) =>
    siteId && projectId ? `#/overview/${siteId}/${projectId}` : '#/',
  queue: (search = '') => `#/queue${search ? `?${search}` : ''}`,
  task: (siteId: string, taskId: string) => `#/task/${siteId}/${taskId}`,
  annotators: (siteId: string, projectId: string) => `#/annotators/${siteId}/${projectId}`,
  settings: (siteId: string, projectId: string) => `#/settings/${siteId}/${projectId}`,
  decisions: (search = '') => `#/decisions${search ? `?${search}` : ''}`,
};
