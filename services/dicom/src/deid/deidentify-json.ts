import type { DElement } from './binary/element.ts';
import { type DeidentifyInput, parseDeidentifyInput } from './deidentify-options.ts';
import { tagLabel } from './dictionary.ts';
import { runEngine } from './engine.ts';
import { elementsToJson, type JsonDataset, jsonToElements } from './json-elements.ts';
import { compilePhiMatchers, type PhiMatchers } from './phi-matchers.ts';
import type { DeidReport } from './report.ts';
import { type PhiFinding, ResidualPhiError, scanElements } from './verify.ts';

export interface DeidentifyJsonResult {
  dataset: JsonDataset;
  report: DeidReport;
}

/**
 * De-identifies a DICOM JSON data set (the WADO-RS /metadata form) with the same profile rules as
 * `deidentify`, so metadata can be served de-identified from the index without reading files. BulkDataURIs
 * of attributes the profile keeps unchanged (pixel data) are kept; the caller must make sure those URIs
 * themselves point at de-identified resources and carry no original UIDs.
 */
export function deidentifyJson(dataset: JsonDataset, opts: DeidentifyInput): DeidentifyJsonResult {
  const params = parseDeidentifyInput(opts);
  const bulk = new WeakMap<DElement, string>();
  const elements = jsonToElements(dataset, bulk);
  // DICOM JSON text is UTF-8 (PS3.18 F.2); tell the engine so cleaning decodes it right.
  const charset = elements.find((e) => e.tag === 0x00080005);
  if (!charset) elements.unshift({ tag: 0x00080005, vr: 'CS', value: Buffer.from('ISO_IR 192') });
  const result = runEngine(elements, params, 'application/dicom+json');
  if (params.verify) {
    const matchers = compilePhiMatchers(result.mustNotKeep);
    const findings: PhiFinding[] = [];
    if (!matchers.empty) {
      scanElements(result.dataset, '', matchers, findings);
      scanBulkDataUris(result.dataset, '', bulk, matchers, findings);
    }
    if (findings.length) throw new ResidualPhiError(findings);
    result.report.verified = true;
  }
  const out = result.dataset.filter((e) => charset || e.tag !== 0x00080005);
  return { dataset: elementsToJson(out, bulk), report: result.report };
}

/** BulkDataURIs are kept as given: one that names an original UID (or any PHI) must not go out either. */
function scanBulkDataUris(
  elements: DElement[],
  prefix: string,
  bulk: WeakMap<DElement, string>,
  matchers: PhiMatchers,
  findings: PhiFinding[],
): void {
  for (const e of elements) {
    const path = prefix + tagLabel(e.tag);
    e.items?.forEach((item, i) => {
      scanBulkDataUris(item, `${path}[${i}].`, bulk, matchers, findings);
    });
    const uri = bulk.get(e);
    const kinds = uri ? matchers.find(uri, 'UR') : [];
    if (kinds.length) findings.push({ path: `${path}.BulkDataURI`, kinds });
  }
}
