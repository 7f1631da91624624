import type { TestSite } from '../../../test/app.ts';

/**
 * Projects with tasks over given studies, made through the real API, and annotators who claim them (test
 * support, not a test): the DICOMweb read rule lets an annotator read only the studies of tasks assigned to them.
 */
export async function projectWithTasks(
  site: TestSite,
  slug: string,
  studyInstanceUids: string[],
  options: { taskScope?: 'study' | 'series'; consensusSize?: number } = {},
): Promise<string> {
  const admin = await site.auth('admin');
  const project = await site.app.inject({
    method: 'POST',
    url: '/api/projects',
    headers: admin,
    payload: {
      slug,
      name: `Project ${slug}`,
      taskScope: options.taskScope ?? 'study',
      consensusSize: options.consensusSize ?? 3,
      goldRate: 0,
      goldWarmup: 0,
      instructions: {
        labels: [{ id: 'finding', name: 'Finding', color: '#ff3030', tool: 'bbox' }],
        classifications: [],
      },
    },
  });
  if (project.statusCode !== 201) throw new Error(`project: ${project.statusCode} ${project.body}`);
  const id = (project.json() as { id: string }).id;
  const tasks = await site.app.inject({
    method: 'POST',
    url: `/api/projects/${id}/tasks`,
    headers: admin,
    payload: { studyInstanceUids },
  });
  if (tasks.statusCode >= 300) throw new Error(`tasks: ${tasks.statusCode} ${tasks.body}`);
  return id;
}

/** The user claims every task of the project waiting for them; returns how many. */
export async function claimAll(site: TestSite, user: string, projectId: string): Promise<number> {
  const headers = await site.auth(user);
  for (let n = 0; ; n++) {
    const res = await site.app.inject({
      method: 'POST',
      url: '/api/tasks/next',
      headers,
      payload: { projectId },
    });
    if (res.statusCode === 404) return n;
    if (res.statusCode !== 200) throw new Error(`claim: ${res.statusCode} ${res.body}`);
  }
}
