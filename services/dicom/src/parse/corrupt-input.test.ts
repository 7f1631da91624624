import { describe, expect, it } from 'vitest';
import { decodeFrameSync } from '../frames/decode-frame.ts';
import { DicomParseError } from '../part10/errors.ts';
import { makeCtSeries } from '../synthetic/ct-series.ts';
import { makeMultiframe } from '../synthetic/multiframe.ts';
import { seededRandom } from '../synthetic/random.ts';
import { toDicomJson } from './dicom-json.ts';
import { parseInstance } from './parse-instance.ts';

// Ingest takes files from the network: whatever the bytes, the parser must either succeed or throw a
// DicomParseError (a 4xx), never a RangeError or TypeError (a 500) and never hang.
const files = {
  explicit: makeCtSeries({ slices: 1, rows: 16, cols: 16, seed: 'fuzz' }).files[0]!,
  implicit: makeCtSeries({ slices: 1, rows: 16, cols: 16, seed: 'fuzz', transferSyntax: 'implicit' })
    .files[0]!,
  deflated: makeCtSeries({ slices: 1, rows: 16, cols: 16, seed: 'fuzz', transferSyntax: 'deflated' })
    .files[0]!,
  rle: makeMultiframe({ frames: 3, rows: 16, cols: 16, seed: 'fuzz', transferSyntax: 'rle' }).files[0]!,
};

function outcome(buf: Buffer): 'ok' | string {
  try {
    const parsed = parseInstance(buf);
    toDicomJson(parsed);
    for (let i = 0; i < (parsed.pixelData?.frames.length ?? 0); i++) decodeFrameSync(parsed, i);
    return 'ok';
  } catch (error) {
    if (error instanceof DicomParseError) return error.code;
    return `untyped: ${(error as Error).name}: ${(error as Error).message}`;
  }
}

describe('corrupt input', () => {
  it.each(Object.entries(files))('%s: every truncation gives a result or a typed error', (_name, file) => {
    const untyped = new Set<string>();
    const step = Math.max(1, Math.floor(file.length / 200));
    for (let cut = 0; cut < file.length; cut += step) {
      const result = outcome(file.subarray(0, cut));
      if (result.startsWith('untyped')) untyped.add(`${cut}: ${result}`);
    }
    expect([...untyped]).toEqual([]);
  });

  it.each(Object.entries(files))(
    '%s: random byte corruption gives a result or a typed error',
    (_name, file) => {
      const rng = seededRandom(`corrupt:${_name}`);
      const untyped = new Set<string>();
      for (let trial = 0; trial < 150; trial++) {
        const copy = Buffer.from(file);
        for (let k = 0; k < 4; k++) copy[rng.int(128, copy.length - 1)] = rng.int(0, 255);
        const result = outcome(copy);
        if (result.startsWith('untyped')) untyped.add(result);
      }
      expect([...untyped]).toEqual([]);
    },
  );
});
