import { describe, expect, it } from 'vitest';
import { makePatient } from './patient.ts';
import { phiValuesOf } from './phi-values.ts';
import { makeStudy } from './study.ts';

describe('phiValuesOf', () => {
  it('lists every name component, identifier and date form of a patient and study', () => {
    const study = makeStudy('s1', makePatient('p1'));
    const values = phiValuesOf(study);
    const p = study.patient;
    for (const v of [p.name.family, p.name.given, p.name.middle, p.name.prefix, p.name.suffix, p.id]) {
      expect(values).toContain(v);
    }
    expect(values).toContain(p.birthDate);
    expect(values.some((v) => /^\d{1,2} [A-Z][a-z]+ \d{4}$/.test(v))).toBe(true);
    expect(values).toContain(study.accessionNumber);
    expect(values).toContain(study.referringPhysician.family);
    expect(values).toContain(p.address);
    expect(values).toContain(p.phone);
  });

  it('gives different patients different identities', () => {
    const ids = new Set(Array.from({ length: 20 }, (_, i) => makePatient(i).id));
    expect(ids.size).toBe(20);
    const names = new Set(Array.from({ length: 20 }, (_, i) => JSON.stringify(makePatient(i).name)));
    expect(names.size).toBeGreaterThan(15);
  });

  it('contains no value so short or common that a canary check would match unrelated text', () => {
    for (let seed = 0; seed < 30; seed++) {
      for (const value of phiValuesOf(makeStudy(seed))) expect(value.length).toBeGreaterThanOrEqual(3);
    }
  });
});
