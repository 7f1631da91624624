import { describe, expect, it } from 'vitest';
import { CT_PRESETS, presetsFor } from './presets.ts';

describe('window presets', () => {
  it('offers the seven CT presets with distinct shortcut keys', () => {
    const ids = presetsFor('CT').map((p) => p.id);
    expect(ids).toEqual(['lung', 'mediastinum', 'abdomen', 'liver', 'bone', 'brain', 'subdural']);
    expect(new Set(CT_PRESETS.map((p) => p.key)).size).toBe(CT_PRESETS.length);
    expect(CT_PRESETS.find((p) => p.id === 'lung')).toMatchObject({ width: 1500, center: -600 });
    expect(CT_PRESETS.find((p) => p.id === 'brain')).toMatchObject({ width: 80, center: 40 });
  });

  it('takes MR windows from the header, with their explanations as labels', () => {
    const ds = {
      '00281050': { vr: 'DS', Value: [600, 300] },
      '00281051': { vr: 'DS', Value: [1200, 500] },
      '00281055': { vr: 'LO', Value: ['T2 brain', ''] },
    };
    expect(presetsFor('MR', ds)).toEqual([
      { id: 'header-0', label: 'T2 brain', width: 1200, center: 600, key: '1' },
      { id: 'header-1', label: 'Window 2', width: 500, center: 300, key: '2' },
    ]);
  });

  it('skips header windows with no usable width and has none without a header', () => {
    expect(
      presetsFor('MR', { '00281050': { vr: 'DS', Value: [1] }, '00281051': { vr: 'DS', Value: [0] } }),
    ).toEqual([]);
    expect(presetsFor('US')).toEqual([]);
  });
});
