import { describe, expect, it } from 'vitest';
import { filterOf, parseQueueQuery, toSearch } from './queue-filter.ts';

describe('the queue filter in the address', () => {
  it('round-trips a filter through the query string', () => {
    const q = parseQueueQuery(
      new URLSearchParams(
        'projectId=prj_abc&siteId=site-a&modality=MR&flag=low_agreement&maxAgreement=0.6&isGold=false&sort=-updated&offset=50',
      ),
    );
    expect(q).toEqual({
      projectId: 'prj_abc',
      siteId: 'site-a',
      modality: 'MR',
      flag: 'low_agreement',
      maxAgreement: 0.6,
      isGold: false,
      sort: '-updated',
      offset: 50,
    });
    expect(parseQueueQuery(new URLSearchParams(toSearch(q)))).toEqual(q);
  });

  it('drops malformed values instead of guessing', () => {
    const q = parseQueueQuery(
      new URLSearchParams('minAgreement=2&maxAgreement=abc&sort=drop&label=<script>&offset=-4'),
    );
    expect(q).toEqual({ sort: 'agreement', offset: 0 });
  });

  it('leaves defaults and paging out of the bulk filter and the address', () => {
    expect(toSearch({ sort: 'agreement', offset: 0 })).toBe('');
    expect(filterOf({ projectId: 'prj_x', minAgreement: 0, status: 'submitted,in_review' })).toEqual({
      projectId: 'prj_x',
      minAgreement: 0,
      status: 'submitted,in_review',
    });
  });
});
