/**
 * Header parse speed of @annex/dicom parseInstance against dcmjs DicomMessage.readFile (the peer), on one
 * synthetic 512×512 CT slice per transfer syntax, measured in the same process. Each measurement runs for a
 * bounded time (BENCH_MS, default 800 ms). Run: `npx tsx scripts/bench/parse/parse-bench.ts`.
 */
import { makeCtSeries, parseInstance, toDicomJson } from '../../../services/dicom/src/index.ts';
import { dcmjs } from '../../../services/dicom/src/synthetic/dcmjs-module.ts';

// dcmjs logs a warning per implicit-VR pixel data element; that would drown the table.
(dcmjs as unknown as { log: { getLogger(name: string): { setLevel(level: string): void } } }).log
  .getLogger('validation.dcmjs')
  .setLevel('silent');

const budgetMs = Number(process.env.BENCH_MS ?? 800);

function measure(run: () => void): number {
  for (let i = 0; i < 50; i++) run();
  let iterations = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < budgetMs) {
    for (let i = 0; i < 20; i++) run();
    iterations += 20;
    elapsed = performance.now() - start;
  }
  return elapsed / iterations;
}

const fmt = (ms: number) => `${(ms * 1000).toFixed(1)} µs`;
console.log(
  'transfer syntax | parseInstance | toDicomJson | dcmjs readFile | dcmjs untilTag PixelData | ratio (dcmjs/ours)',
);
for (const ts of ['explicit', 'implicit', 'rle', 'deflated'] as const) {
  const file = makeCtSeries({ slices: 1, seed: 'bench', transferSyntax: ts }).files[0]!;
  const ab = file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength) as ArrayBuffer;
  const ours = measure(() => parseInstance(file));
  const json = measure(() => toDicomJson(file));
  const peer = measure(() => dcmjs.data.DicomMessage.readFile(ab));
  const peerHeader = measure(() => dcmjs.data.DicomMessage.readFile(ab, { untilTag: '7FE00010' }));
  console.log(
    `${ts.padEnd(15)} | ${fmt(ours).padStart(13)} | ${fmt(json).padStart(11)} | ${fmt(peer).padStart(14)} | ${fmt(peerHeader).padStart(24)} | ${(peer / ours).toFixed(1)}x full, ${(peerHeader / ours).toFixed(1)}x header-only`,
  );
}
