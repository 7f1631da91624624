/**
 * One "quality job" as the site runs it, in its own process so its peak memory is its own:
 * read the stored RLE bytes of every annotation (and the gold), compute everything, print JSON.
 * usage: tsx job.ts <dir written by run.ts>
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resourceUsage } from 'node:process';
import type { Grid } from '@annex/quality';
import { computeMaskTaskQuality, labelRleFromBytes } from '@annex/quality';

const dir = process.argv[2]!;
const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as {
  grid: Grid;
  raters: number;
  labels: number[];
};
const bytes = Array.from({ length: meta.raters }, (_, i) => readFileSync(join(dir, `rater-${i}.rle`)));
const goldBytes = readFileSync(join(dir, 'gold.rle'));

const t0 = performance.now();
const cpu0 = process.cpuUsage();
const raters = bytes.map((b) => labelRleFromBytes(b));
const gold = labelRleFromBytes(goldBytes);
const result = computeMaskTaskQuality({ grid: meta.grid, raters, labels: meta.labels, gold });
const json = JSON.stringify(result.summary);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
process.stdout.write(
  `${JSON.stringify({ ms, cpuMs, maxRssMb: resourceUsage().maxRSS / 1024, metrics: result.summary.metrics.length, summaryBytes: json.length })}\n`,
);
