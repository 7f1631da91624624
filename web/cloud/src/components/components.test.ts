import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import ChartFigure from './chart-figure.svelte';
import DecisionState from './decision-state.svelte';

// Svelte 5 components mounted in happy-dom (no canvas there: the charts' tables are what is checked).
let mounted: Record<string, unknown>[] = [];
afterEach(() => {
  for (const c of mounted) unmount(c);
  mounted = [];
  document.body.innerHTML = '';
});
function render<P extends Record<string, unknown>>(component: unknown, props: P): HTMLElement {
  const target = document.createElement('div');
  document.body.append(target);
  mounted.push(mount(component as never, { target, props }) as Record<string, unknown>);
  flushSync();
  return target;
}

describe('decision state', () => {
  it('shows a failed decision with the site’s reason', () => {
    const el = render(DecisionState, {
      command: { seq: 4, state: 'failed', deliveredAt: null, resultAt: null, code: 'STALE_TASK_REVISION' },
    });
    expect(el.querySelector('[data-state]')?.textContent).toBe('failed');
    expect(el.textContent).toContain('STALE_TASK_REVISION');
  });

  it('says when a decision was applied at the site', () => {
    const el = render(DecisionState, {
      command: {
        seq: 4,
        state: 'applied',
        deliveredAt: '2026-11-22T10:00:00.000Z',
        resultAt: '2026-11-22T10:00:02.000Z',
        code: null,
      },
    });
    expect(el.textContent).toContain('applied at site 2026-11-22 10:00');
  });
});

describe('chart figure', () => {
  it('has a text alternative and a table with every number the chart draws', () => {
    const el = render(ChartFigure, {
      id: 'agreement',
      title: 'Median agreement per label',
      rows: { labels: ['liver', 'lesion'], series: [{ label: 'median Dice', data: [0.912, null] }] },
      options: { type: 'bar', yMax: 1 },
    });
    expect(el.querySelector('[role=img]')?.getAttribute('aria-label')).toContain(
      'Median agreement per label',
    );
    const cells = [...el.querySelectorAll('tbody tr')].map((tr) =>
      [...tr.querySelectorAll('th,td')].map((c) => c.textContent),
    );
    expect(cells).toEqual([
      ['liver', '0.91'],
      ['lesion', '–'],
    ]);
  });
});
