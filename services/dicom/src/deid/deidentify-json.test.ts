import { describe, expect, it } from 'vitest';
import { toDicomJson } from '../parse/dicom-json.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { collectPhiValues, collectPhiValuesFromJson, phiCanaries } from './collect-phi.ts';
import { deidentify } from './deidentify.ts';
import { deidentifyJson } from './deidentify-json.ts';
import type { JsonDataset } from './json-elements.ts';
import { ResidualPhiError } from './verify.ts';

const secret = 'json-secret-0123456789abcdef';
const ct = makeCtSeries({ slices: 2, rows: 32, cols: 32, seed: 'deid-json' });

const first = (ds: JsonDataset, tag: string) => ds[tag]?.Value?.[0];

describe('deidentifyJson (WADO-RS metadata form)', () => {
  const json = toDicomJson(ct.files[0]!, { bulkDataUri: () => 'bulk/pixel' }) as JsonDataset;
  const out = deidentifyJson(json, { profile: 'annotator-view', secret });

  it('leaves none of the generator canary PHI anywhere in the JSON', () => {
    const text = JSON.stringify(out.dataset);
    for (const v of ct.phi) expect(text.includes(v), 'a canary value survived').toBe(false);
    expect(out.report.verified).toBe(true);
  });

  it('gives the same UIDs, pseudonym and shifted dates as de-identifying the file', () => {
    const file = toDicomJson(
      deidentify(ct.files[0]!, { profile: 'annotator-view', secret }).buffer,
    ) as JsonDataset;
    for (const tag of ['00080018', '0020000D', '0020000E', '00200052', '00100020', '00080020', '00120063']) {
      expect(first(out.dataset, tag), tag).toEqual(first(file, tag));
    }
    expect(first(out.dataset, '00100010')).toEqual({ Alphabetic: `${first(file, '00100020')}^` });
  });

  it('keeps non-identifying attributes with their JSON types and the pixel BulkDataURI', () => {
    expect(out.dataset['00280010']).toEqual({ vr: 'US', Value: [32] });
    expect(first(out.dataset, '00180050')).toBe(first(json, '00180050'));
    expect(out.dataset['7FE00010']?.BulkDataURI).toBe('bulk/pixel');
    expect(out.dataset['00080005']).toEqual(json['00080005']);
  });

  it('collects the PHI of a JSON data set, the same as from the file', () => {
    const fromJson = collectPhiValuesFromJson(json);
    const fromFile = collectPhiValues(ct.files[0]!);
    expect(fromJson.names.sort()).toEqual(fromFile.names.sort());
    expect(fromJson.ids.sort()).toEqual(fromFile.ids.sort());
    expect(fromJson.dates).toEqual(fromFile.dates);
    const canaries = phiCanaries(fromJson);
    expect(canaries).toContain(ct.study.patient.id);
    expect(canaries).toContain(ct.study.patient.birthDate);
  });

  it('refuses a kept BulkDataURI that names an original UID', () => {
    const leaky = toDicomJson(ct.files[0]!, {
      bulkDataUri: () => `studies/${ct.study.studyInstanceUid}/bulk/7FE00010`,
    }) as JsonDataset;
    expect(() => deidentifyJson(leaky, { profile: 'annotator-view', secret })).toThrow(ResidualPhiError);
    expect(() => deidentifyJson(leaky, { profile: 'annotator-view', secret })).toThrow(/BulkDataURI/);
  });

  it('applies the cloud-metadata allow-list', () => {
    const cloud = deidentifyJson(json, { profile: 'cloud-metadata', secret });
    const keys = Object.keys(cloud.dataset).filter((k) => !k.startsWith('0012') && k !== '00280303');
    expect(
      keys.every((k) =>
        [
          '00080008',
          '00080016',
          '00080060',
          '00180050',
          '00180088',
          '00200013',
          '00200037',
          '00280002',
          '00280004',
          '00280008',
          '00280010',
          '00280011',
          '00280030',
          '00280100',
          '00280101',
          '00280102',
          '00280103',
          '00180015',
        ].includes(k),
      ),
    ).toBe(true);
    expect(keys).toContain('00080060');
  });
});
