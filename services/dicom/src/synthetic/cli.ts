/**
 * Writes synthetic DICOM files: `tsx services/dicom/src/synthetic/cli.ts --out DIR --ct 300 --mr 20 [--mf 8]
 * [--seed 1] [--ts explicit|implicit|deflated|rle|jpeg-lossless|jpegls|j2k|htj2k]`. The last four are
 * lossless compressed copies made with the WASM codecs. File names are UIDs only, never patient data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { transcodeInstance } from '../frames/transcode.ts';
import { TransferSyntax } from '../part10/transfer-syntax.ts';
import { makeCtSeries } from './ct-series.ts';
import type { SyntheticSeries } from './image-series.ts';
import { makeMrSeries } from './mr-series.ts';
import { makeMultiframe } from './multiframe.ts';
import { makePatient } from './patient.ts';
import { SYNTHETIC_TRANSFER_SYNTAXES, type SyntheticTransferSyntax } from './series-options.ts';
import { makeStudy } from './study.ts';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    ct: { type: 'string', default: '0' },
    mr: { type: 'string', default: '0' },
    mf: { type: 'string', default: '0' },
    seed: { type: 'string', default: '1' },
    ts: { type: 'string', default: 'explicit' },
  },
});

const COMPRESSED: Record<string, string> = {
  'jpeg-lossless': TransferSyntax.JPEGLosslessSV1,
  jpegls: TransferSyntax.JPEGLSLossless,
  j2k: TransferSyntax.JPEG2000Lossless,
  htj2k: TransferSyntax.HTJ2KLossless,
};
const requested = values.ts ?? 'explicit';
const compressedUid = COMPRESSED[requested];
// Compressed outputs are generated native, then transcoded losslessly.
const ts = (compressedUid ? 'explicit' : requested) as SyntheticTransferSyntax;
if (!values.out || !(ts in SYNTHETIC_TRANSFER_SYNTAXES)) {
  const choices = [...Object.keys(SYNTHETIC_TRANSFER_SYNTAXES), ...Object.keys(COMPRESSED)].join('|');
  console.error(`usage: cli.ts --out DIR [--ct N] [--mr N] [--mf N] [--seed S] [--ts ${choices}]`);
  process.exit(2);
}
const patient = makePatient(values.seed);
const study = makeStudy(values.seed, patient);
const write = async (series: SyntheticSeries) => {
  const dir = join(values.out!, series.seriesInstanceUid);
  mkdirSync(dir, { recursive: true });
  for (const [i, file] of series.files.entries()) {
    const out = compressedUid ? await transcodeInstance(file, compressedUid) : file;
    writeFileSync(join(dir, `${series.sopInstanceUids[i]}.dcm`), out);
  }
  console.log(`${series.modality} ${series.files.length} file(s) -> ${dir}`);
};
const count = (v: string | undefined) => Number.parseInt(v ?? '0', 10);
if (count(values.ct) > 0) await write(makeCtSeries({ slices: count(values.ct), study, transferSyntax: ts }));
if (count(values.mr) > 0) await write(makeMrSeries({ slices: count(values.mr), study, transferSyntax: ts }));
if (count(values.mf) > 0)
  await write(makeMultiframe({ frames: count(values.mf), study, transferSyntax: ts }));
