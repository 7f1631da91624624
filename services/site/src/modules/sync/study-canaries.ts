// The PHI values of one study as the site's index holds them: the canaries a study.available
// message is checked against before it may enter the outbox (DESIGN.md rule 3).

type DicomJson = Record<string, { vr?: string; Value?: unknown[] }>;

// Value representations that can carry identifying text or identifiers. CS (codes such as sex)
// and numbers are left out: "M" or "512" would match unrelated message values.
const TEXT_VRS = new Set(['PN', 'LO', 'SH', 'DA', 'DT', 'UI', 'LT', 'ST', 'UT', 'AE', 'UC']);

/** Every text value of a DICOM JSON dataset with an identifying VR (PN as its written forms). */
export function textValuesOf(json: unknown): string[] {
  if (!json || typeof json !== 'object') return [];
  const out: string[] = [];
  for (const element of Object.values(json as DicomJson)) {
    if (!element?.vr || !TEXT_VRS.has(element.vr) || !Array.isArray(element.Value)) continue;
    for (const v of element.Value) {
      if (typeof v === 'string') out.push(v);
      else if (v && typeof v === 'object') {
        for (const rep of Object.values(v as Record<string, unknown>))
          if (typeof rep === 'string') out.push(rep);
      }
    }
  }
  return out;
}

/**
 * Canary list for a study: the index's PHI columns and identifying attribute values. Short
 * all-digit values (a Study ID "512") are dropped: alone they identify no one, and as canaries
 * they would make a message with 512 rows unsendable forever.
 */
export function studyCanaries(parts: {
  patient: {
    patientId: string | null;
    patientName: string | null;
    birthDate: string | null;
    issuer: string | null;
  };
  study: {
    studyInstanceUid: string;
    accessionNumber: string | null;
    studyId: string | null;
    studyDate: string | null;
    referringPhysician: string | null;
    studyDescription: string | null;
    attributes: unknown;
  };
  series: { seriesInstanceUid: string; attributes: unknown }[];
}): string[] {
  const values = new Set<string>();
  const add = (v: string | null | undefined) => {
    const t = v?.trim();
    if (!t || t.length < 3) return;
    if (/^\d{1,5}$/.test(t)) return;
    values.add(t);
  };
  const { patient, study } = parts;
  for (const v of [patient.patientId, patient.patientName, patient.birthDate, patient.issuer]) add(v);
  for (const v of [study.studyInstanceUid, study.accessionNumber, study.studyId, study.studyDate]) add(v);
  add(study.referringPhysician);
  add(study.studyDescription);
  for (const v of textValuesOf(study.attributes)) add(v);
  for (const s of parts.series) {
    add(s.seriesInstanceUid);
    for (const v of textValuesOf(s.attributes)) add(v);
  }
  return [...values];
}
