import { describe, expect, it } from 'vitest';
import { href, parseRoute } from './route.ts';
import { siteViewerLink } from './viewer-link.ts';

describe('hash routes', () => {
  it('parses every page and builds the same links', () => {
    expect(parseRoute(href.task('site-a', 'tk_abc'))).toEqual({
      name: 'task',
      siteId: 'site-a',
      taskId: 'tk_abc',
    });
    expect(parseRoute(href.annotators('site-a', 'prj_1'))).toEqual({
      name: 'annotators',
      siteId: 'site-a',
      projectId: 'prj_1',
    });
    expect(parseRoute(href.settings('s', 'p'))).toMatchObject({ name: 'settings' });
    const q = parseRoute(href.queue('flag=low_agreement'));
    expect(q.name === 'queue' && q.search.get('flag')).toBe('low_agreement');
    expect(parseRoute('')).toEqual({ name: 'overview' });
  });

  it('accepts only pseudonym-shaped ids in the path', () => {
    expect(parseRoute('#/task/site-a/1.2.840.113619.2')).toEqual({ name: 'overview' });
    expect(parseRoute('#/task/site-a/Doe^John')).toEqual({ name: 'overview' });
  });
});

describe('the site viewer link', () => {
  it('points at the site viewer inside the hospital and carries only the task pseudonym', () => {
    const link = siteViewerLink({ 'site-a': 'https://annex.hospital.internal/' }, 'site-a', 'tk_Abc-12');
    expect(link).toBe('https://annex.hospital.internal/#/qc-task/tk_Abc-12');
  });
  it('gives no link for a site without a configured viewer or an id that is not a pseudonym', () => {
    expect(siteViewerLink({}, 'site-a', 'tk_x')).toBeNull();
    expect(siteViewerLink({ 'site-a': 'https://x.internal' }, 'site-a', '1.2.3/../x')).toBeNull();
  });
});
