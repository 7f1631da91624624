import { PIXEL_DATA } from '../part10/constants.ts';
import { TEXT_VRS } from '../part10/vr.ts';
import type { DElement } from './binary/element.ts';
import { readPart10 } from './binary/read-part10.ts';
import { tagLabel } from './dictionary.ts';
import { DeidError } from './errors.ts';
import { compilePhiMatchers, type PhiMatchers } from './phi-matchers.ts';
import { classifyPhiStrings, type PhiKind, type PhiValues, phiValuesSchema } from './phi-values.ts';

export interface PhiFinding {
  /** Attribute path, e.g. (0040,0275)[0].(0032,1060); never the value. */
  path: string;
  kinds: PhiKind[];
}

/** Residual PHI was found: names where (paths) and what kind, never the value. */
export class ResidualPhiError extends DeidError {
  constructor(readonly findings: PhiFinding[]) {
    const shown = findings
      .slice(0, 10)
      .map((f) => `${f.path} [${f.kinds.join(',')}]`)
      .join('; ');
    const more = findings.length > 10 ? ` and ${findings.length - 10} more` : '';
    super('DEID_RESIDUAL_PHI', `Residual PHI found after de-identification at ${shown}${more}.`, 500);
    this.name = 'ResidualPhiError';
  }
}

/**
 * Scans every value of a Part 10 object (all VRs, all depths, file meta, private and UN, raw bytes of binary
 * values) for the given PHI values in all their usual written forms. Pixel data is not scanned here: text
 * burned into pixels is the burned-in risk check's job. Throws ResidualPhiError on any hit.
 */
export function verifyNoResidualPhi(output: Uint8Array, phi: PhiValues | readonly string[]): void {
  const findings = findResidualPhi(output, phi);
  if (findings.length) throw new ResidualPhiError(findings);
}

export function findResidualPhi(output: Uint8Array, phi: PhiValues | readonly string[]): PhiFinding[] {
  const values = isFlat(phi) ? classifyPhiStrings(phi) : phiValuesSchema.parse(phi);
  const p = readPart10(output);
  const matchers = compilePhiMatchers(values);
  if (matchers.empty) return [];
  const findings: PhiFinding[] = [];
  scanElements([...p.meta, ...p.dataset], '', matchers, findings);
  return findings;
}

function isFlat(phi: PhiValues | readonly string[]): phi is readonly string[] {
  return Array.isArray(phi);
}

export function scanElements(
  elements: DElement[],
  prefix: string,
  matchers: PhiMatchers,
  findings: PhiFinding[],
): void {
  for (const e of elements) {
    const path = prefix + tagLabel(e.tag);
    if (e.items) {
      e.items.forEach((item, i) => {
        scanElements(item, `${path}[${i}].`, matchers, findings);
      });
      continue;
    }
    if (!e.value || e.value.length === 0 || e.tag === PIXEL_DATA) continue;
    const b = Buffer.from(e.value.buffer, e.value.byteOffset, e.value.byteLength);
    const latin1 = b.toString('latin1');
    let kinds = matchers.find(latin1, e.vr);
    if (TEXT_VRS.has(e.vr)) {
      // Only a value with bytes above 0x7F reads differently as UTF-8.
      if (b.some((byte) => byte > 0x7f))
        kinds = [...new Set([...kinds, ...matchers.find(b.toString('utf8'), e.vr)])];
    } else if (b.length >= 6) {
      // Binary values may hold UTF-16 text (some vendors' private blocks).
      kinds = [...new Set([...kinds, ...matchers.find(b.toString('utf16le'), e.vr)])];
    }
    if (kinds.length) findings.push({ path, kinds });
  }
}
