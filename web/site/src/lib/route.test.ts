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

  it('refuses UIDs that are not UIDs and falls back to the study list', () => {
    expect(parseRoute('#/view/1.2/<script>')).toEqual({ name: 'browse' });
    expect(parseRoute('#/view/1.2')).toEqual({ name: 'browse' });
    expect(parseRoute('')).toEqual({ name: 'browse' });
    expect(parseRoute('#/tasks')).toEqual({ name: 'tasks' });
    expect(parseRoute('#/review')).toEqual({ name: 'review' });
  });
});
