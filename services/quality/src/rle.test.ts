import { describe, expect, it } from 'vitest';
import { mulberry32, paintEllipsoid } from '../test/shapes.ts';
import {
  decodeLabelRle,
  encodeLabelRle,
  labelConfusion,
  labelRleToBinary,
  labelsPresent,
} from './label-rle.ts';
import { byteOverlap, countsFromConfusion } from './overlap.ts';
import { packedOverlap, packMask, unpackMask } from './packed-mask.ts';
import { decodeRle, encodeRle, rleForeground, rleOverlap } from './rle.ts';
import { binaryRleFromBytes, binaryRleToBytes, labelRleFromBytes, labelRleToBytes } from './rle-bytes.ts';

function randomRuns(n: number, seed: number, labels = 1): Uint8Array {
  const rnd = mulberry32(seed);
  const out = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const len = 1 + Math.floor(rnd() * 20);
    const v = rnd() < 0.5 ? 0 : 1 + Math.floor(rnd() * labels);
    out.fill(v, i, Math.min(n, i + len));
    i += len;
  }
  return out;
}

describe('binary RLE', () => {
  it('round-trips masks of every length modulo 4, starting with either state', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 7, 63, 1001]) {
      for (const seed of [1, 2]) {
        const m = randomRuns(n, seed + n);
        const rle = encodeRle(m);
        expect(decodeRle(rle)).toEqual(m);
        expect(rle.counts.reduce((s, c) => s + c, 0)).toBe(n);
      }
    }
  });

  it('starts with an empty background run when the first voxel is foreground', () => {
    expect(Array.from(encodeRle(Uint8Array.of(1, 1, 0, 1)).counts)).toEqual([0, 2, 1, 1]);
    expect(Array.from(encodeRle(Uint8Array.of(0, 0, 0, 0, 0, 0, 5, 0)).counts)).toEqual([6, 1, 1]);
  });

  it('encodes an unaligned subarray view the same as a copy', () => {
    const base = randomRuns(1003, 9);
    const view = base.subarray(3);
    expect(encodeRle(view)).toEqual(encodeRle(view.slice()));
  });

  it('counts overlap run by run exactly like the byte loop and the bit-packed popcount', () => {
    const a = randomRuns(5000, 3);
    const b = randomRuns(5000, 4);
    const expected = byteOverlap(a, b);
    expect(rleOverlap(encodeRle(a), encodeRle(b))).toEqual(expected);
    expect(packedOverlap(packMask(a), packMask(b))).toEqual(expected);
    // Masks occupying different word ranges (one only at the start, one only at the end).
    const head = new Uint8Array(5000);
    head.fill(1, 10, 300);
    const tail = new Uint8Array(5000);
    tail.fill(1, 4000, 4990);
    expect(packedOverlap(packMask(head), packMask(tail))).toEqual(byteOverlap(head, tail));
    expect(packedOverlap(packMask(tail), packMask(new Uint8Array(5000)))).toEqual(
      byteOverlap(tail, new Uint8Array(5000)),
    );
    expect(rleForeground(encodeRle(a))).toBe(expected.a);
  });

  it('packs and unpacks bits, selecting one label when asked', () => {
    const m = randomRuns(1000, 5, 3);
    expect(unpackMask(packMask(m))).toEqual(Uint8Array.from(m, (v) => (v ? 1 : 0)));
    expect(unpackMask(packMask(m, 2))).toEqual(Uint8Array.from(m, (v) => (v === 2 ? 1 : 0)));
  });

  it('round-trips through compact bytes and rejects truncated or inconsistent bytes', () => {
    const rle = encodeRle(randomRuns(20000, 6));
    const bytes = binaryRleToBytes(rle);
    expect(binaryRleFromBytes(bytes)).toEqual(rle);
    expect(bytes.length).toBeLessThan(rle.counts.length * 2 + 8);
    expect(() => binaryRleFromBytes(bytes.subarray(0, bytes.length - 1))).toThrow(/end early|add up/);
    const bad = bytes.slice();
    bad[1] = (bad[1]! + 1) & 0x7f;
    expect(() => binaryRleFromBytes(bad)).toThrow();
  });
});

describe('label RLE', () => {
  const dims: [number, number, number] = [40, 30, 20];
  const vol = new Uint8Array(40 * 30 * 20);
  paintEllipsoid(vol, dims, [15, 15, 10], [10, 8, 6], 1);
  paintEllipsoid(vol, dims, [28, 12, 8], [6, 6, 5], 3);
  paintEllipsoid(vol, dims, [20, 20, 12], [4, 4, 4], 2);

  it('round-trips a multi-label volume and lists its labels', () => {
    const rle = encodeLabelRle(vol);
    expect(Buffer.from(decodeLabelRle(rle)).equals(vol)).toBe(true);
    expect(labelsPresent(rle)).toEqual([1, 2, 3]);
    expect(labelRleFromBytes(labelRleToBytes(rle))).toEqual(rle);
  });

  it('extracts one label as the same binary RLE as encoding its byte mask', () => {
    const rle = encodeLabelRle(vol);
    for (const l of [1, 2, 3, 4]) {
      expect(labelRleToBinary(rle, l)).toEqual(encodeRle(Uint8Array.from(vol, (v) => (v === l ? 1 : 0))));
    }
  });

  it('gives every label overlap from one confusion merge, equal to per-label byte loops', () => {
    const other = new Uint8Array(vol.length);
    paintEllipsoid(other, dims, [16, 14, 10], [9, 9, 6], 1);
    paintEllipsoid(other, dims, [27, 13, 9], [6, 5, 5], 3);
    const conf = labelConfusion(encodeLabelRle(vol), encodeLabelRle(other));
    for (const l of [1, 2, 3]) expect(countsFromConfusion(conf, l)).toEqual(byteOverlap(vol, other, l));
    expect(conf.reduce((s, v) => s + v, 0)).toBe(vol.length);
  });
});
