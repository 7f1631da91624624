import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { dciodvfyErrors, readWithDcmjs, relabelTransferSyntax, runOnFile } from '../../test/dicom-tools.ts';
import { isOwnPseudonym } from '../pseudonym/pseudonymize.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { makeMrSeries } from '../synthetic/mr-series.ts';
import { phiValuesOf } from '../synthetic/phi-values.ts';
import type { DElement } from './binary/element.ts';
import { readPart10 } from './binary/read-part10.ts';
import { writeDataset, writePart10 } from './binary/write-part10.ts';
import { collectPhiValues } from './collect-phi.ts';
import { dateShiftDaysFor } from './date-shift.ts';
import { deidentify } from './deidentify.ts';
import { tagLabel } from './dictionary.ts';
import { DeidError, DeidOptionsError, UnsupportedTransferSyntaxError } from './errors.ts';
import { TABLE_E1_1 } from './generated/table-e1-1.ts';
import { INNER_CONTAINER, OUTER_CONTAINER, PLANTED, phiEverywhere } from './test-support/phi-everywhere.ts';
import { decodeText } from './text-values.ts';
import { findResidualPhi, verifyNoResidualPhi } from './verify.ts';

const secret = 'test-site-secret-0123456789';
const ct = makeCtSeries({ slices: 4, rows: 64, cols: 64, seed: 'deid-ct' });
const everywhere = phiEverywhere();

function top(buf: Uint8Array): Map<number, DElement> {
  return new Map(readPart10(buf).dataset.map((e) => [e.tag, e]));
}
function str(buf: Uint8Array, tag: number): string | undefined {
  const v = top(buf).get(tag)?.value;
  return v ? decodeText(v, 'latin1') : undefined;
}
function nestedItem(buf: Uint8Array): DElement[] {
  const outer = top(buf).get(Number.parseInt(OUTER_CONTAINER, 16));
  const inner = outer?.items?.[0]?.find((e) => e.tag === Number.parseInt(INNER_CONTAINER, 16));
  return inner?.items?.[0] ?? [];
}

describe('deidentify: PHI planted in every Table E.1-1 attribute', () => {
  it.each(['basic-profile', 'annotator-view', 'research-export', 'cloud-metadata'])(
    '%s leaves none of the planted PHI at any depth, in private or UN attributes',
    (profile) => {
      expect(findResidualPhi(everywhere.file, everywhere.phi).length).toBeGreaterThan(600);
      const out = deidentify(everywhere.file, { profile, secret });
      expect(out.report.verified).toBe(true);
      expect(() => verifyNoResidualPhi(out.buffer, everywhere.phi)).not.toThrow();
      expect(() => verifyNoResidualPhi(out.buffer, collectPhiValues(everywhere.file))).not.toThrow();
    },
  );

  it('works the same on the implicit VR encoding of that object (private values without VRs)', () => {
    const implicit = phiEverywhere({ transferSyntaxUid: '1.2.840.10008.1.2' });
    expect(readPart10(implicit.file).explicitVr).toBe(false);
    for (const profile of ['basic-profile', 'annotator-view', 'cloud-metadata']) {
      const out = deidentify(implicit.file, { profile, secret });
      expect(findResidualPhi(out.buffer, implicit.phi)).toEqual([]);
      expect(runOnFile('dcmdump', out.buffer).status).toBe(0);
    }
    const view = deidentify(implicit.file, { profile: 'annotator-view', secret });
    expect(str(view.buffer, 0x0019100c)).toBe('800');
  });

  it('plants at depth 2, and the engine recursed there (nested attributes were acted on, not just dropped)', () => {
    expect(nestedItem(everywhere.file).length).toBeGreaterThan(500);
    const out = deidentify(everywhere.file, { profile: 'basic-profile', secret });
    const nested = nestedItem(out.buffer);
    expect(nested.length).toBeGreaterThan(50);
    const paths = out.report.entries.map((e) => e.path);
    const prefix = `(${OUTER_CONTAINER.slice(0, 4)},${OUTER_CONTAINER.slice(4)})[0].(${INNER_CONTAINER.slice(0, 4)},${INNER_CONTAINER.slice(4)})[0].`;
    expect(paths).toContain(`${prefix}(0010,0010)`);
    // Every concrete-tag row planted at depth 2 has a report entry there.
    const planted = TABLE_E1_1.filter(([t]) => /^[0-9A-F]{8}$/.test(t) && !t.startsWith('0002'));
    const reported = new Set(
      paths.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length, prefix.length + 11)),
    );
    const missing = planted.filter(([t]) => !reported.has(tagLabel(Number.parseInt(t, 16) >>> 0)));
    expect(missing.length).toBeLessThan(5); // rows whose VR the dictionary lacks were not planted
  });

  it('removes the vendor private group (name, date, UN) and keeps only the safe-listed b-value', () => {
    const out = deidentify(everywhere.file, { profile: 'annotator-view', secret });
    const t = top(out.buffer);
    expect([...t.keys()].filter((tag) => tag >>> 16 === 0x0009)).toEqual([]);
    expect(str(out.buffer, 0x0019100c)).toBe('800');
    expect(str(out.buffer, 0x00190010)).toBe('SIEMENS MR HEADER');
    expect(t.has(0x0019100d)).toBe(false); // a "safe" tag whose value is not a plain code: removed
    const basic = deidentify(everywhere.file, { profile: 'basic-profile', secret });
    expect([...top(basic.buffer).keys()].filter((tag) => (tag >>> 16) & 1)).toEqual([]);
  });

  it('removes curve and overlay groups whole, and keeps overlays with Clean Graphics', () => {
    const out = deidentify(everywhere.file, { profile: 'basic-profile', secret });
    const groups = [...top(out.buffer).keys()].map((t) => t >>> 16);
    expect(groups.filter((g) => (g & 0xff00) === 0x5000 || (g & 0xff00) === 0x6000)).toEqual([]);
    const graphics = deidentify(everywhere.file, {
      profile: 'basic-profile',
      secret,
      options: { cleanGraphics: true },
    });
    expect(top(graphics.buffer).get(0x60003000)?.value?.length).toBe(32);
    expect(top(graphics.buffer).get(0x60000010)).toBeDefined();
    expect(str(graphics.buffer, 0x60004000)).not.toContain('Quintavalle');
  });

  it('adds no dciodvfy error to the PHI-everywhere object', () => {
    const before = new Set(dciodvfyErrors(everywhere.file));
    for (const profile of ['annotator-view', 'basic-profile']) {
      const out = deidentify(everywhere.file, { profile, secret });
      expect(dciodvfyErrors(out.buffer).filter((line) => !before.has(line))).toEqual([]);
    }
  });

  it('is read back by dcmjs and dcmdump (exit 0)', () => {
    for (const profile of ['annotator-view', 'cloud-metadata']) {
      const out = deidentify(everywhere.file, { profile, secret });
      expect(runOnFile('dcmdump', out.buffer).status).toBe(0);
      const d = readWithDcmjs(out.buffer);
      expect(d.PatientIdentityRemoved).toBe('YES');
    }
  });
});

describe('deidentify: a realistic CT series', () => {
  const outs = ct.files.map((f) => deidentify(f, { profile: 'annotator-view', secret }));

  it('passes the verifier with the generator canary list and dcmjs re-reads it', () => {
    for (const [i, out] of outs.entries()) {
      expect(() => verifyNoResidualPhi(out.buffer, ct.phi)).not.toThrow();
      const d = readWithDcmjs(out.buffer);
      expect(d.SOPInstanceUID).not.toBe(ct.sopInstanceUids[i]);
      expect(d.Modality).toBe('CT');
    }
  });

  it('adds no dciodvfy error that the input did not have', () => {
    const before = new Set(dciodvfyErrors(ct.files[0]!));
    const after = dciodvfyErrors(outs[0]!.buffer);
    expect(after.filter((line) => !before.has(line))).toEqual([]);
  });

  it('passes pixel data through untouched, as a view of the input (no copy)', () => {
    const input = ct.files[0]!;
    const out = outs[0]!;
    const inPixels = readPart10(input).dataset.find((e) => e.tag === 0x7fe00010)!.value!;
    const chunk = out.chunks.find((c) => c.length === inPixels.length)!;
    expect(chunk.buffer).toBe(input.buffer);
    expect(chunk.byteOffset).toBe(inPixels.byteOffset);
    expect(out.report.pixelDataPassedThrough).toBe(true);
  });

  it('maps each UID the same way across a series, across runs, and inside sequences', () => {
    const study = new Set(outs.map((o) => str(o.buffer, 0x0020000d)));
    const series = new Set(outs.map((o) => str(o.buffer, 0x0020000e)));
    const frame = new Set(outs.map((o) => str(o.buffer, 0x00200052)));
    expect([study.size, series.size, frame.size]).toEqual([1, 1, 1]);
    expect(new Set(outs.map((o) => str(o.buffer, 0x00080018))).size).toBe(ct.files.length);
    const again = deidentify(ct.files[2]!, { profile: 'annotator-view', secret });
    expect(str(again.buffer, 0x00080018)).toBe(str(outs[2]!.buffer, 0x00080018));
    // The study UID referenced inside Request Attributes Sequence is the same new UID as at the top.
    const request = top(outs[0]!.buffer).get(0x00400275)?.items?.[0];
    const refStudy = request?.find((e) => e.tag === 0x0020000d)?.value;
    if (refStudy) expect(decodeText(refStudy, 'latin1')).toBe([...study][0]);
    // Media Storage SOP Instance UID follows the SOP Instance UID.
    expect(readWithDcmjs(outs[1]!.buffer)._meta).toMatchObject({
      '00020003': { Value: [str(outs[1]!.buffer, 0x00080018)] },
    });
    const otherKey = deidentify(ct.files[2]!, {
      profile: 'annotator-view',
      secret: 'another-site-secret-987654',
    });
    expect(str(otherKey.buffer, 0x00080018)).not.toBe(str(outs[2]!.buffer, 0x00080018));
  });

  it('gives the same UIDs and pseudonym in a separate process (no state carried between runs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'annex-deid-'));
    try {
      const path = join(dir, 'in.dcm');
      writeFileSync(path, ct.files[2]!);
      const cli = fileURLToPath(new URL('./test-support/deid-uids-cli.ts', import.meta.url));
      const r = spawnSync(process.execPath, ['--import', 'tsx', cli, path, secret], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      const here = [0x00080018, 0x0020000d, 0x0020000e, 0x00100020].map((t) => str(outs[2]!.buffer, t));
      expect(JSON.parse(r.stdout)).toEqual(here);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes UIDs under the 2.25 root, valid and at most 64 characters', () => {
    for (const tag of [0x00080018, 0x0020000d, 0x0020000e, 0x00200052]) {
      const u = str(outs[0]!.buffer, tag)!;
      expect(u).toMatch(/^2\.25\.[1-9]\d*$/);
      expect(u.length).toBeLessThanOrEqual(64);
    }
  });

  it('is idempotent: de-identifying the output again gives the same bytes', () => {
    for (const profile of ['annotator-view', 'research-export', 'basic-profile', 'cloud-metadata']) {
      const once = deidentify(ct.files[1]!, { profile, secret });
      const twice = deidentify(once.buffer, { profile, secret });
      expect(Buffer.compare(twice.buffer, once.buffer)).toBe(0);
    }
    for (const profile of ['annotator-view', 'research-export', 'basic-profile', 'cloud-metadata']) {
      const once = deidentify(everywhere.file, { profile, secret });
      expect(Buffer.compare(deidentify(once.buffer, { profile, secret }).buffer, once.buffer), profile).toBe(
        0,
      );
    }
  });

  it('gives the patient a stable per-project pseudonym in Patient ID and Patient Name', () => {
    const a = str(outs[0]!.buffer, 0x00100020)!;
    expect(isOwnPseudonym(secret, 'patient', a)).toBe(true);
    expect(str(outs[3]!.buffer, 0x00100020)).toBe(a);
    expect(str(outs[0]!.buffer, 0x00100010)).toBe(`${a}^`);
    const other = deidentify(ct.files[0]!, { profile: 'annotator-view', secret, project: 'prj-2' });
    expect(str(other.buffer, 0x00100020)).not.toBe(a);
  });

  it('does not give every patient without a Patient ID the same pseudonym', () => {
    const withoutId = (seed: string) => {
      const f = makeCtSeries({ slices: 1, rows: 16, cols: 16, seed }).files[0]!;
      const p = readPart10(f);
      p.dataset = p.dataset.map((e) =>
        e.tag === 0x00100020 ? { tag: e.tag, vr: e.vr, value: new Uint8Array(0) } : e,
      );
      return Buffer.concat(writePart10(p));
    };
    const a = str(deidentify(withoutId('no-id-a'), { profile: 'annotator-view', secret }).buffer, 0x00100020);
    const b = str(deidentify(withoutId('no-id-b'), { profile: 'annotator-view', secret }).buffer, 0x00100020);
    expect(a).toMatch(/^pt_/);
    expect(a).not.toBe(b);
  });

  it('marks the object: Patient Identity Removed, method naming profile and PS3.15 2024b, CID 7050 codes', () => {
    const out = outs[0]!;
    expect(str(out.buffer, 0x00120062)).toBe('YES');
    expect(str(out.buffer, 0x00120063)).toContain('annotator-view');
    expect(str(out.buffer, 0x00120063)).toContain('PS3.15 2024b');
    const codes = top(out.buffer)
      .get(0x00120064)!
      .items!.map((item) => item.map((e) => decodeText(e.value!, 'latin1')));
    expect(codes.map((c) => c[0])).toEqual(['113100', '113105', '113107', '113108', '113111']);
    expect(codes.every((c) => c[1] === 'DCM')).toBe(true);
    expect(str(out.buffer, 0x00280303)).toBe('MODIFIED');
    expect(out.report.standard).toBe('PS3.15 2024b');
  });
});

describe('deidentify: dates', () => {
  it('shifts every date of a patient by one offset, keeping intervals, across studies', () => {
    const mr = makeMrSeries({ slices: 1, rows: 32, cols: 32, seed: 'deid-mr', patient: ct.study.patient });
    const a = deidentify(ct.files[0]!, { profile: 'annotator-view', secret });
    const b = deidentify(mr.files[0]!, { profile: 'annotator-view', secret });
    expect(a.report.dateShift).toBe('applied');
    const days = (da: string) => Date.UTC(+da.slice(0, 4), +da.slice(4, 6) - 1, +da.slice(6, 8)) / 86_400_000;
    const inA = days(str(ct.files[0]!, 0x00080020)!);
    const inB = days(str(mr.files[0]!, 0x00080020)!);
    const outA = days(str(a.buffer, 0x00080020)!);
    const outB = days(str(b.buffer, 0x00080020)!);
    const shift = dateShiftDaysFor(secret, ct.study.patient.id);
    expect(shift).toBeLessThan(0);
    expect(outA - inA).toBe(shift);
    expect(outB - inB).toBe(shift);
    expect(outB - outA).toBe(inB - inA);
    // Every date of the object moved by the same offset (series, acquisition, content dates).
    for (const tag of [0x00080021, 0x00080022, 0x00080023]) {
      const before = str(ct.files[0]!, tag);
      if (before) expect(days(str(a.buffer, tag)!) - days(before)).toBe(shift);
    }
    expect(JSON.stringify(a.report)).not.toContain(String(shift));
    expect(str(a.buffer, 0x00080030)).toBe(str(ct.files[0]!, 0x00080030)); // times are kept
  });

  it('uses an explicit shift when given, keeps full dates with that option, and removes them without options', () => {
    const given = deidentify(ct.files[0]!, { profile: 'annotator-view', secret, dateShiftDays: -10 });
    const days = (da: string) => Date.UTC(+da.slice(0, 4), +da.slice(4, 6) - 1, +da.slice(6, 8)) / 86_400_000;
    expect(days(str(given.buffer, 0x00080020)!) - days(str(ct.files[0]!, 0x00080020)!)).toBe(-10);
    const full = deidentify(ct.files[0]!, {
      profile: 'basic-profile',
      secret,
      options: { retainLongitudinalFullDates: true },
    });
    expect(str(full.buffer, 0x00080020)).toBe(str(ct.files[0]!, 0x00080020));
    expect(str(full.buffer, 0x00280303)).toBe('UNMODIFIED');
    const basic = deidentify(ct.files[0]!, { profile: 'basic-profile', secret });
    expect(str(basic.buffer, 0x00080020) ?? '').toBe(''); // Study Date: Z (Type 2 in the CT IOD)
    expect(top(basic.buffer).has(0x00080021)).toBe(false); // Series Date: X/D, Type 3 -> removed
    expect(str(basic.buffer, 0x00280303)).toBe('REMOVED');
  });
});

describe('deidentify: options and profiles', () => {
  const run = (options: Record<string, boolean>, file = ct.files[0]!) =>
    deidentify(file, { profile: 'basic-profile', secret, options });

  it('Retain UIDs keeps the original UIDs', () => {
    expect(str(run({ retainUids: true }).buffer, 0x00080018)).toBe(ct.sopInstanceUids[0]);
    expect(str(run({}).buffer, 0x00080018)).not.toBe(ct.sopInstanceUids[0]);
  });

  it('Retain Device Identity keeps the device serial number and station name', () => {
    const serial = ct.study.deviceSerialNumber;
    expect(str(run({ retainDeviceIdentity: true }).buffer, 0x00181000)).toBe(serial);
    expect(str(run({}).buffer, 0x00181000) ?? '').not.toContain(serial);
  });

  it('Retain Institution Identity keeps the institution name', () => {
    expect(str(run({ retainInstitutionIdentity: true }).buffer, 0x00080080)).toBe(ct.study.institutionName);
    expect(str(run({}).buffer, 0x00080080) ?? '').not.toContain(ct.study.institutionName);
  });

  it('Retain Patient Characteristics keeps sex, age, size and weight', () => {
    const kept = run({ retainPatientCharacteristics: true }).buffer;
    expect(str(kept, 0x00100040)).toBe(ct.study.patient.sex);
    expect(str(kept, 0x00101030)).toBe('71.5');
    const basic = run({}).buffer;
    expect(str(basic, 0x00100040) ?? '').toBe('');
    expect(top(basic).has(0x00101030)).toBe(false);
  });

  it('Clean Descriptors keeps descriptions but removes the PHI in them', () => {
    const cleaned = run({ cleanDescriptors: true }).buffer;
    expect(str(cleaned, 0x0008103e)).toBe(str(ct.files[0]!, 0x0008103e));
    const comments = str(cleaned, 0x00204000)!;
    expect(comments).toContain('***');
    expect(comments).not.toContain(ct.study.patient.name.family);
    expect(top(run({}).buffer).has(0x00204000)).toBe(false);
  });

  it('Clean Structured Content keeps and cleans the acquisition context, without it the sequence goes', () => {
    const cleaned = run({ cleanStructuredContent: true }).buffer;
    expect(top(cleaned).get(0x00400555)?.items?.length).toBe(1);
    expect(findResidualPhi(cleaned, ct.phi)).toEqual([]);
    expect(top(run({}).buffer).get(0x00400555)?.items?.length ?? 0).toBe(0);
  });

  it('cloud-metadata keeps only the allow-list (no pixel data, UIDs, dates or text)', () => {
    const out = deidentify(ct.files[0]!, { profile: 'cloud-metadata', secret });
    const tags = [...top(out.buffer).keys()].map(tagLabel);
    expect(tags).toContain('(0008,0060)');
    expect(tags).toContain('(0028,0010)');
    expect(tags).not.toContain('(7FE0,0010)');
    expect(tags).not.toContain('(0008,0018)');
    expect(tags).not.toContain('(0020,000D)');
    expect(tags).not.toContain('(0008,1030)');
    expect(phiValuesOf(ct.study).every((v) => !out.buffer.toString('latin1').includes(v))).toBe(true);
  });

  it('rejects a bad secret and unknown options with a typed error that never echoes the secret', () => {
    expect(() => deidentify(ct.files[0]!, { profile: 'annotator-view', secret: 'short' })).toThrow(
      DeidOptionsError,
    );
    try {
      deidentify(ct.files[0]!, { profile: 'annotator-view', secret: 'short' });
    } catch (error) {
      expect((error as Error).message).not.toContain('short');
    }
    expect(() =>
      deidentify(ct.files[0]!, {
        profile: 'annotator-view',
        secret,
        options: { retainEverything: true } as never,
      }),
    ).toThrow();
    expect(() => deidentify(ct.files[0]!, { profile: 'no-such-profile', secret })).toThrow(/Unknown/);
  });
});

describe('deidentify: sequences sent as UN', () => {
  it('reads a standard sequence encoded as UN (implicit VR inside) and applies the profile to its items', () => {
    const p = readPart10(ct.files[0]!);
    const item: DElement[] = [
      { tag: 0x00080050, vr: 'SH', value: Buffer.from('ACC-UN-4711 ') },
      { tag: 0x00100010, vr: 'PN', value: Buffer.from('Unseenfamily^Unseengiven ') },
    ];
    const inner = writeDataset([{ tag: 0x00400275, vr: 'SQ', items: [item] }], false).subarray(8);
    const file = Buffer.concat(
      writePart10({
        ...p,
        dataset: [
          ...p.dataset.filter((e) => e.tag !== 0x00400275),
          { tag: 0x00400275, vr: 'UN', value: inner },
        ].sort((a, b) => a.tag - b.tag),
      }),
    );
    expect(findResidualPhi(file, ['ACC-UN-4711', 'Unseenfamily^Unseengiven']).map((f) => f.path)).toEqual([
      '(0040,0275)[0].(0008,0050)',
      '(0040,0275)[0].(0010,0010)',
    ]);
    const out = deidentify(file, { profile: 'annotator-view', secret });
    expect(findResidualPhi(out.buffer, ['ACC-UN-4711', 'Unseenfamily^Unseengiven'])).toEqual([]);
    expect(out.report.entries.some((e) => e.path === '(0040,0275)[0].(0008,0050)')).toBe(true);
    expect(runOnFile('dcmdump', out.buffer).status).toBe(0);
  });
});

describe('deidentify: bad input', () => {
  it('gives a typed error, never a crash, for truncated or corrupted files', () => {
    const f = makeCtSeries({ slices: 1, rows: 16, cols: 16, seed: 'deid-corrupt' }).files[0]!;
    let seed = 7;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const inputs = [0, 100, 131, 140, 200, 400, 700, 1000, 1500].map((n) => f.subarray(0, n));
    for (let i = 0; i < 150; i++) {
      const b = Buffer.from(f);
      for (let k = 0; k < 4; k++) b[132 + Math.floor(rnd() * 1500)] = Math.floor(rnd() * 256);
      inputs.push(b);
    }
    for (const input of inputs) {
      try {
        deidentify(input, { profile: 'annotator-view', secret });
      } catch (error) {
        expect(error).toBeInstanceOf(DeidError);
      }
    }
  });

  it('refuses explicit VR big endian with a typed error', () => {
    const f = relabelTransferSyntax(ct.files[0]!, '1.2.840.10008.1.2.2');
    expect(() => deidentify(f, { profile: 'annotator-view', secret })).toThrow(
      UnsupportedTransferSyntaxError,
    );
  });
});

describe('deidentify: transfer syntaxes', () => {
  it.each(['implicit', 'deflated', 'rle'] as const)('handles %s VR little endian input', (ts) => {
    const s = makeCtSeries({ slices: 1, rows: 32, cols: 32, seed: `deid-${ts}`, transferSyntax: ts });
    const out = deidentify(s.files[0]!, { profile: 'annotator-view', secret });
    expect(() => verifyNoResidualPhi(out.buffer, s.phi)).not.toThrow();
    expect(runOnFile('dcmdump', out.buffer).status).toBe(0);
    expect(readPart10(out.buffer).transferSyntaxUid).toBe(readPart10(s.files[0]!).transferSyntaxUid);
    expect(PLANTED.id).not.toBe('');
  });
});
