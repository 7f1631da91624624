import { describe, expect, it } from 'vitest';
import { parseRoute, viewHref } from './route.ts';

describe('hash routes', () => {
  it('round-trips a viewer route with a task', () => {
    const href = viewHref('1.2.3', '1.2.3.4', 'task 7');
    expect(parseRoute(href)).toEqual({
      name: 'view',
      studyUid: '1.2.3',
      seriesUid: '1.2.3.4',
      taskId: 'task 7',
    });
  });

  it("carries the task's project so the viewer can read its DICOMweb root at once", () => {
    const project = '0b7c3f1e-2a4d-4c8e-9f10-1234567890ab';
    expect(parseRoute(viewHref('1.2.3', '1.2.3.4', 't1', project))).toEqual({
      name: 'view',
      studyUid: '1.2.3',
      seriesUid: '1.2.3.4',
      taskId: 't1',
      projectId: project,
    });
    // Not a project id, or no task: ignored (the viewer then asks the task for its project).
    expect(parseRoute('#/view/1.2.3/1.2.3.4?task=t1&project=../x')).not.toHaveProperty('projectId');
    expect(parseRoute(`#/view/1.2.3/1.2.3.4?project=${project}`)).not.toHaveProperty('projectId');
  });

  it('refuses UIDs that are not UIDs and falls back to the study list', () => {
    expect(parseRoute('#/view/1.2/<script>')).toEqual({ name: 'browse' });
    expect(parseRoute('#/view/1.2')).toEqual({ name: 'browse' });
    expect(parseRoute('')).toEqual({ name: 'browse' });
    expect(parseRoute('#/tasks')).toEqual({ name: 'tasks' });
    expect(parseRoute('#/review')).toEqual({ name: 'review' });
    expect(parseRoute('#/exports')).toEqual({ name: 'exports' });
  });
});
