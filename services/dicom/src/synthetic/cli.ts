/**
 * Writes synthetic DICOM files: `tsx services/dicom/src/synthetic/cli.ts --out DIR --ct 300 --mr 20 [--mf 8]
 * [--seed 1] [--ts explicit|implicit|deflated|rle]`. File names are UIDs only, never patient data.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
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

const ts = values.ts as SyntheticTransferSyntax;
if (!values.out || !(ts in SYNTHETIC_TRANSFER_SYNTAXES)) {
  console.error(
    'usage: cli.ts --out DIR [--ct N] [--mr N] [--mf N] [--seed S] [--ts explicit|implicit|deflated|rle]',
  );
  process.exit(2);
}
const patient = makePatient(values.seed);
const study = makeStudy(values.seed, patient);
const write = (series: SyntheticSeries) => {
  const dir = join(values.out!, series.seriesInstanceUid);
  mkdirSync(dir, { recursive: true });
  series.files.forEach((file, i) => {
    writeFileSync(join(dir, `${series.sopInstanceUids[i]}.dcm`), file);
  });
  console.log(`${series.modality} ${series.files.length} file(s) -> ${dir}`);
};
const count = (v: string | undefined) => Number.parseInt(v ?? '0', 10);
if (count(values.ct) > 0) write(makeCtSeries({ slices: count(values.ct), study, transferSyntax: ts }));
if (count(values.mr) > 0) write(makeMrSeries({ slices: count(values.mr), study, transferSyntax: ts }));
if (count(values.mf) > 0) write(makeMultiframe({ frames: count(values.mf), study, transferSyntax: ts }));
