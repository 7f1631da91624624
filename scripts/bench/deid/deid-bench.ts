/**
 * De-identification benchmark: ms per 512x512 CT slice for
 *   - Annex's engine (`deidentify`, annotator-view profile, residual-PHI check on),
 *   - a dcmjs read + naturalize + denaturalize + write round trip (the cost of rewriting through dcmjs),
 *   - Orthanc 1.10's POST /instances/{id}/anonymize (Debian's orthanc, loopback HTTP, same slices),
 * on the same synthetic series in the same run, each with its ratio to the engine.
 *
 *   npx tsx scripts/bench/deid/deid-bench.ts [--slices 32] [--seconds 4]
 */
import { createRequire } from 'node:module';
import { deidentify, makeCtSeries, verifyNoResidualPhi } from '@annex/dicom';
import { startOrthanc } from './orthanc-peer.ts';

const args = process.argv.slice(2);
const arg = (name: string, fallback: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const SLICES = arg('slices', 32);
const SECONDS = arg('seconds', 4);
const secret = 'bench-site-secret-0123456789';

interface DcmjsLike {
  log: { setLevel(level: string): void };
  data: {
    DicomMessage: { readFile(ab: ArrayBuffer): { meta: unknown; dict: unknown } };
    DicomMetaDictionary: {
      naturalizeDataset(d: unknown): Record<string, unknown>;
      denaturalizeDataset(d: Record<string, unknown>): unknown;
    };
    DicomDict: new (meta: unknown) => { dict: unknown; write(): ArrayBuffer };
  };
}
const dcmjs = createRequire(import.meta.url)('dcmjs') as DcmjsLike;
// dcmjs logs unknown private attributes with their values: that would print (synthetic) PHI.
dcmjs.log.setLevel('silent');

/** Runs `fn` over the slices, round after round, for about `seconds` (at least one round); ms per slice. */
async function timePerSlice(label: string, files: Buffer[], fn: (f: Buffer) => unknown | Promise<unknown>) {
  for (const f of files.slice(0, 4)) await fn(f); // warm-up
  let n = 0;
  const start = performance.now();
  do {
    for (const f of files) {
      await fn(f);
      n++;
    }
  } while (performance.now() - start < SECONDS * 1000);
  const ms = (performance.now() - start) / n;
  console.log(`  ${label.padEnd(52)} ${ms.toFixed(3)} ms/slice  (${n} slices timed)`);
  return ms;
}

const series = makeCtSeries({ slices: SLICES, seed: 'bench-deid' });
const files = series.files;
console.log(
  `De-identification of ${files.length} synthetic 512x512 CT slices (${(files[0]!.length / 1024).toFixed(0)} KiB each)`,
);

// Correctness first: the engine's output must pass the verifier with the generator's canary list.
for (const f of files)
  verifyNoResidualPhi(deidentify(f, { profile: 'annotator-view', secret }).buffer, series.phi);

const results: Array<[string, number]> = [];
results.push([
  'annex deidentify (chunks, pixels not copied)',
  await timePerSlice('annex deidentify (chunks, pixels not copied)', files, (f) =>
    deidentify(f, { profile: 'annotator-view', secret }),
  ),
]);
results.push([
  'annex deidentify + one Buffer (pixels copied once)',
  await timePerSlice(
    'annex deidentify + one Buffer (pixels copied once)',
    files,
    (f) => deidentify(f, { profile: 'annotator-view', secret }).buffer,
  ),
]);
results.push([
  'dcmjs read+naturalize+write round trip',
  await timePerSlice('dcmjs read+naturalize+write round trip', files, (f) => {
    const ab = f.buffer.slice(f.byteOffset, f.byteOffset + f.byteLength) as ArrayBuffer;
    const dict = dcmjs.data.DicomMessage.readFile(ab);
    const natural = dcmjs.data.DicomMetaDictionary.naturalizeDataset(dict.dict);
    natural.PatientName = 'ANONYMIZED';
    const out = new dcmjs.data.DicomDict(dict.meta);
    out.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(natural);
    return out.write();
  }),
]);

let orthancNote = '';
try {
  const orthanc = await startOrthanc();
  try {
    const ids: string[] = [];
    for (const f of files) {
      const r = await fetch(`${orthanc.url}/instances`, { method: 'POST', body: f });
      if (!r.ok) throw new Error(`upload failed: HTTP ${r.status}`);
      ids.push(((await r.json()) as { ID: string }).ID);
    }
    const byFile = new Map(files.map((f, i) => [f, ids[i]!]));
    results.push([
      'orthanc POST /instances/{id}/anonymize (HTTP)',
      await timePerSlice('orthanc POST /instances/{id}/anonymize (HTTP)', files, async (f) => {
        const r = await fetch(`${orthanc.url}/instances/${byFile.get(f)}/anonymize`, {
          method: 'POST',
          body: '{}',
        });
        if (!r.ok) throw new Error(`anonymize failed: HTTP ${r.status}`);
        return r.arrayBuffer();
      }),
    ]);
    results.push([
      'orthanc GET /instances/{id}/file (HTTP floor)',
      await timePerSlice('orthanc GET /instances/{id}/file (HTTP floor)', files, async (f) => {
        const r = await fetch(`${orthanc.url}/instances/${byFile.get(f)}/file`);
        return r.arrayBuffer();
      }),
    ]);
  } finally {
    orthanc.stop();
  }
} catch (error) {
  orthancNote = `Orthanc not measured: ${(error as Error).message}`;
}

const engine = results[0]![1];
console.log('\nRatios (peer time / annex engine time; >1 means the engine is faster):');
for (const [label, ms] of results.slice(1)) console.log(`  ${label.padEnd(52)} ${(ms / engine).toFixed(1)}x`);
console.log(
  `\nTarget <= 1 ms/slice for the engine: ${engine <= 1 ? 'met' : 'NOT met'} (${engine.toFixed(3)} ms)`,
);
if (orthancNote) console.log(orthancNote);
