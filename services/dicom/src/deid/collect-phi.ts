import type { DElement } from './binary/element.ts';
import { readPart10 } from './binary/read-part10.ts';
import { type JsonDataset, jsonToElements } from './json-elements.ts';
import { emptyPhiValues, isValidDa, type PhiValues } from './phi-values.ts';
import { type Charset, charsetOf, decodeText } from './text-values.ts';

const ID_TAGS = new Set([
  0x00100020, // Patient ID
  0x00101000, // Other Patient IDs
  0x00100021, // Issuer of Patient ID
  0x00101090, // Medical Record Locator
  0x00080050, // Accession Number
  0x00200010, // Study ID
  0x00401001, // Requested Procedure ID
  0x00400009, // Scheduled Procedure Step ID
  0x00400253, // Performed Procedure Step ID
  0x00402016, // Placer Order Number / Imaging Service Request
  0x00402017, // Filler Order Number / Imaging Service Request
  0x00380010, // Admission ID
  0x00380400, // Patient's Institution Residence
  0x00101050, // Insurance Plan Identification
  0x00120040, // Clinical Trial Subject ID
  0x00120042, // Clinical Trial Subject Reading ID
]);
/** Dates of the person (birth, death), as opposed to event dates (study, series…) that options may keep. */
const PATIENT_DATE_TAGS = new Set([0x00100030, 0x00102297 /* Patient Death Date in Institution */]);
/** Addresses of people (patient, physicians); the institution's address counts as institution identity. */
const ADDRESS_TAGS = new Set([0x00101040, 0x00401102, 0x00380300]);
const PHONE_TAGS = new Set([0x00102154, 0x00080094, 0x00401103, 0x00102155, 0x00401104]);
const INSTITUTION_TAGS = new Set([0x00080080, 0x00080081, 0x00081040]);
const DEVICE_TAGS = new Set([0x00181000, 0x00081010, 0x0018700a]);
/** Only the standard's well-known UIDs (transfer syntaxes, SOP classes, coding schemes) are not instance UIDs. */
const WELL_KNOWN_UID = /^1\.2\.840\.10008\./;

/** Extracts the identifying values of an original Part 10 object, so outputs can be verified against it. */
export function collectPhiValues(input: Uint8Array): PhiValues {
  const p = readPart10(input);
  return collectPhiFromElements(p.dataset);
}

/** The same from a DICOM JSON data set (index rows, WADO-RS metadata), e.g. for the sync sender's canary check. */
export function collectPhiValuesFromJson(json: JsonDataset): PhiValues {
  const elements = jsonToElements(json, new WeakMap());
  // DICOM JSON text is UTF-8.
  if (!elements.some((e) => e.tag === 0x00080005))
    elements.unshift({ tag: 0x00080005, vr: 'CS', value: Buffer.from('ISO_IR 192') });
  return collectPhiFromElements(elements);
}

/** All values of all kinds as one flat list (the canary list form `@annex/protocol`'s PHI guard takes). */
export function phiCanaries(phi: PhiValues): string[] {
  return [...new Set(Object.values(phi).flat())];
}

export function collectPhiFromElements(dataset: DElement[]): PhiValues {
  const out = emptyPhiValues();
  const sets = Object.fromEntries(Object.keys(out).map((k) => [k, new Set<string>()])) as Record<
    keyof PhiValues,
    Set<string>
  >;
  const cs = dataset.find((e) => e.tag === 0x00080005);
  walk(dataset, charsetOf(cs?.value ? decodeText(cs.value, 'latin1') : undefined), sets);
  for (const k of Object.keys(sets) as (keyof PhiValues)[]) out[k] = [...sets[k]];
  return out;
}

function walk(elements: DElement[], charset: Charset, sets: Record<keyof PhiValues, Set<string>>): void {
  for (const e of elements) {
    if (e.items) {
      for (const item of e.items) walk(item, charset, sets);
      continue;
    }
    if (!e.value || e.value.length === 0) continue;
    const { tag, vr } = e;
    if (tag >>> 16 === 0x0002) continue;
    const target = targetOf(tag, vr, sets);
    if (!target) continue;
    for (const raw of decodeText(e.value, charset).split('\\')) {
      const v = raw.trim();
      if (!v) continue;
      if (vr === 'UI') {
        if (!WELL_KNOWN_UID.test(v)) target.add(v);
      } else if (vr === 'DA' || vr === 'DT') {
        if (isValidDa(v.slice(0, 8))) target.add(v.slice(0, 8));
      } else target.add(v);
    }
  }
}

/** Which kind of PHI an attribute holds, if any. */
function targetOf(
  tag: number,
  vr: string,
  sets: Record<keyof PhiValues, Set<string>>,
): Set<string> | undefined {
  if (vr === 'PN') return sets.names;
  if (vr === 'UI') return sets.uids;
  if (ID_TAGS.has(tag)) return sets.ids;
  if (ADDRESS_TAGS.has(tag)) return sets.addresses;
  if (PHONE_TAGS.has(tag)) return sets.phones;
  if (INSTITUTION_TAGS.has(tag)) return sets.institutions;
  if (DEVICE_TAGS.has(tag)) return sets.devices;
  if (vr === 'DA' || vr === 'DT') return PATIENT_DATE_TAGS.has(tag) ? sets.dates : sets.eventDates;
  return undefined;
}
