import type { DElement } from './binary/element.ts';
import { readPart10 } from './binary/read-part10.ts';
import { writePart10 } from './binary/write-part10.ts';
import type { BurnedInRisk } from './burned-in.ts';
import { type DeidentifyInput, parseDeidentifyInput } from './deidentify-options.ts';
import { runEngine } from './engine.ts';
import { BurnedInRiskError } from './errors.ts';
import { compilePhiMatchers } from './phi-matchers.ts';
import { maskPixelData } from './pixel-mask.ts';
import type { DeidReport } from './report.ts';
import { decodeText, encodeText } from './text-values.ts';
import { deidentifiedUid } from './uid-remap.ts';
import { type PhiFinding, ResidualPhiError, scanElements } from './verify.ts';

export interface DeidentifyResult {
  /**
   * The de-identified object as chunks: new header bytes and views of the source's pixel data (not copied).
   * Write them in order (e.g. to an HTTP response) to avoid any copy of the pixels.
   */
  chunks: Uint8Array[];
  /** The whole object in one buffer (concatenated on first access). */
  readonly buffer: Buffer;
  report: DeidReport;
}

/** Our implementation identity in the file meta: the file was written by this engine. */
const IMPLEMENTATION_CLASS_UID = '2.25.238106146381029841542375836214196401321';
const IMPLEMENTATION_VERSION = 'ANNEX_DEID_1';
/** File meta attributes that name the sender or carry its private data. */
const META_DROP = new Set([0x00020016, 0x00020017, 0x00020018, 0x00020100, 0x00020102]);

/**
 * De-identifies one Part 10 object with a named profile (PS3.15 2024b Table E.1-1 and options). Works on the
 * encoded elements: the header is rewritten, pixel data is passed through untouched unless it is masked.
 */
export function deidentify(input: Uint8Array, opts: DeidentifyInput): DeidentifyResult {
  const params = parseDeidentifyInput(opts);
  const p = readPart10(input);
  const masker = params.pixelMasking
    ? (dataset: DElement[], risk: BurnedInRisk) =>
        maskPixelData(dataset, p.transferSyntaxUid, params.pixelMasking!.templates, risk)
    : undefined;
  const result = runEngine(p.dataset, params, p.transferSyntaxUid, masker);
  if (params.refuseBurnedIn && result.report.burnedIn.risk && !result.report.burnedIn.masked) {
    throw new BurnedInRiskError(result.report.burnedIn.reasons);
  }
  const meta: DElement[] = [];
  for (const e of p.meta) {
    if (META_DROP.has(e.tag) || e.tag === 0x00020000) continue;
    if (e.tag === 0x00020003) {
      // An allow-list profile drops SOP Instance UID from the data set; the meta still needs one, never the original.
      const original = decodeText(e.value ?? new Uint8Array(0), 'latin1');
      const sop =
        result.sopInstanceUid ??
        (result.report.options.retainUids ? original : deidentifiedUid(params.secret, original));
      meta.push({ tag: e.tag, vr: 'UI', value: encodeText('UI', sop) });
    } else if (e.tag === 0x00020012)
      meta.push({ tag: e.tag, vr: 'UI', value: encodeText('UI', IMPLEMENTATION_CLASS_UID) });
    else if (e.tag === 0x00020013)
      meta.push({ tag: e.tag, vr: 'SH', value: encodeText('SH', IMPLEMENTATION_VERSION) });
    else meta.push(e);
  }
  if (params.verify) {
    const matchers = compilePhiMatchers(result.mustNotKeep);
    const findings: PhiFinding[] = [];
    if (!matchers.empty) scanElements([...meta, ...result.dataset], '', matchers, findings);
    if (findings.length) throw new ResidualPhiError(findings);
    result.report.verified = true;
  }
  const chunks = writePart10({ ...p, meta, dataset: result.dataset });
  let joined: Buffer | undefined;
  return {
    chunks,
    get buffer() {
      joined ??= Buffer.concat(chunks);
      return joined;
    },
    report: result.report,
  };
}
