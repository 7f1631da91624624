/**
 * Header parse speed of @annex/dicom parseInstance against dcmjs DicomMessage.readFile (the peer), on one
 * synthetic 512×512 CT slice per transfer syntax, in the same process. Ours and the peer are measured in
 * alternating short rounds and the median of each is reported, so load from other processes on a shared
 * machine hits both alike. Bounded: ROUNDS × 4 measurements × ROUND_MS per syntax.
 * Run: `npx tsx scripts/bench/parse/parse-bench.ts` (env ROUNDS, ROUND_MS to change the budget).
 */
import { makeCtSeries, parseInstance, toDicomJson } from '../../../services/dicom/src/index.ts';
import { dcmjs } from '../../../services/dicom/src/synthetic/dcmjs-module.ts';

// dcmjs logs a warning per implicit-VR pixel data element; that would drown the table.
(dcmjs as unknown as { log: { getLogger(name: string): { setLevel(level: string): void } } }).log
  .getLogger('validation.dcmjs')
  .setLevel('silent');

const rounds = Number(process.env.ROUNDS ?? 7);
const roundMs = Number(process.env.ROUND_MS ?? 60);

/** Mean time per call over one round of about roundMs. */
function round(run: () => void): number {
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < roundMs) {
    for (let i = 0; i < 5; i++) run();
    iterations += 5;
    elapsed = performance.now() - start;
  }
  return elapsed / iterations;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const fmt = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;

console.log(
  'transfer syntax | parseInstance | toDicomJson | dcmjs readFile | dcmjs untilTag PixelData | ratio (dcmjs/ours)',
);
for (const ts of ['explicit', 'implicit', 'rle', 'deflated'] as const) {
  const file = makeCtSeries({ slices: 1, seed: 'bench', transferSyntax: ts }).files[0]!;
  const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const runs = {
    ours: () => parseInstance(file),
    json: () => toDicomJson(file),
    peer: () => dcmjs.data.DicomMessage.readFile(ab),
    peerHeader: () => dcmjs.data.DicomMessage.readFile(ab, { untilTag: '7FE00010' }),
  };
  for (const run of Object.values(runs)) for (let i = 0; i < 30; i++) run();
  const times: Record<keyof typeof runs, number[]> = { ours: [], json: [], peer: [], peerHeader: [] };
  for (let r = 0; r < rounds; r++) {
    for (const key of Object.keys(runs) as Array<keyof typeof runs>) times[key].push(round(runs[key]));
  }
  const [ours, json, peer, peerHeader] = [times.ours, times.json, times.peer, times.peerHeader].map(
    median,
  ) as [number, number, number, number];
  console.log(
    `${ts.padEnd(15)} | ${fmt(ours).padStart(13)} | ${fmt(json).padStart(11)} | ${fmt(peer).padStart(14)} | ${fmt(peerHeader).padStart(24)} | ${(peer / ours).toFixed(1)}x full, ${(peerHeader / ours).toFixed(1)}x header-only`,
  );
}
