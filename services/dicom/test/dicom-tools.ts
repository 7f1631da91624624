import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dcmjs } from '../src/synthetic/dcmjs-module.ts';

// dcmjs warns on stderr for every implicit-VR pixel data element it reads ("Invalid vr type ox"); tests read
// many such files on purpose, and the noise would hide real warnings.
(dcmjs as unknown as { log: { getLogger(name: string): { setLevel(level: string): void } } }).log
  .getLogger('validation.dcmjs')
  .setLevel('silent');

/** Runs a dcmtk/dicom3tools command on a buffer written to a temp file; returns exit status and output. */
export function runOnFile(
  tool: string,
  file: Buffer,
  args: string[] = [],
): { status: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'annex-dicom-'));
  try {
    const path = join(dir, 'instance.dcm');
    writeFileSync(path, file);
    const result = spawnSync(tool, [...args, path], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** dciodvfy's error lines (it exits 0 even when it reports errors, so the text is what counts). */
export function dciodvfyErrors(file: Buffer): string[] {
  return runOnFile('dciodvfy', file)
    .output.split('\n')
    .filter((line) => /\bError\b/.test(line));
}

/** dcmjs's reading of a file, naturalized (keyword → value): an independent parser to check ours against. */
export function readWithDcmjs(file: Buffer): Record<string, unknown> {
  const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const dict = dcmjs.data.DicomMessage.readFile(ab);
  return {
    ...dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict),
    _meta: dict.meta,
    _dict: dict.dict,
  };
}

/** The same dataset bytes under a different TransferSyntaxUID in the meta header (a mislabelled file). */
export function relabelTransferSyntax(file: Buffer, transferSyntaxUid: string): Buffer {
  const metaEnd = 144 + file.readUInt32LE(140);
  const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const meta = dcmjs.data.DicomMessage.readFile(ab).meta;
  meta['00020010'] = { vr: 'UI', Value: [transferSyntaxUid] };
  const header = Buffer.from(new dcmjs.data.DicomDict(meta).write());
  return Buffer.concat([header, file.subarray(metaEnd)]);
}

/** Runs a dcmtk converter (`tool [args] in out`) on a buffer and returns the file it wrote. */
export function convertWith(tool: string, args: string[], file: Buffer): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'annex-dicom-'));
  try {
    const input = join(dir, 'in.dcm');
    const output = join(dir, 'out.dcm');
    writeFileSync(input, file);
    const result = spawnSync(tool, [...args, input, output], { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr}`);
    return readFileSync(output);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** dcmdump's complaints about a file: exit status other than 0, and any error or warning line it prints. */
export function dcmdumpProblems(file: Buffer): string[] {
  const { status, output } = runOnFile('dcmdump', file);
  const lines = output.split('\n').filter((line) => /^[EW]: /.test(line));
  return status === 0 ? lines : [`exit status ${status}`, ...lines];
}
