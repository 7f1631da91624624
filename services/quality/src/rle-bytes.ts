import type { LabelRle } from './label-rle.ts';
import { assertLabelRle } from './label-rle.ts';
import type { BinaryRle } from './rle.ts';
import { assertRle, RleError } from './rle.ts';

/**
 * Compact byte form of the RLEs for storage (e.g. a Postgres bytea): a kind byte, then LEB128
 * varints. Runs are short numbers, so most take 1–3 bytes.
 *   binary: 0x01, length, runCount, runs...
 *   label:  0x02, length, runCount, values[runCount] (1 byte each), runLengths...
 */
const KIND_BINARY = 1;
const KIND_LABEL = 2;

class ByteWriter {
  private buf = new Uint8Array(1024);
  private n = 0;
  byte(v: number): void {
    if (this.n === this.buf.length) this.grow();
    this.buf[this.n++] = v;
  }
  varint(v: number): void {
    while (v >= 0x80) {
      this.byte((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    this.byte(v);
  }
  private grow(): void {
    const next = new Uint8Array(this.buf.length * 2);
    next.set(this.buf);
    this.buf = next;
  }
  done(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

class ByteReader {
  private i = 0;
  constructor(private readonly buf: Uint8Array) {}
  byte(): number {
    if (this.i >= this.buf.length) throw new RleError('RLE bytes end early');
    return this.buf[this.i++]!;
  }
  varint(): number {
    let v = 0;
    let scale = 1;
    for (let k = 0; k < 6; k++) {
      const b = this.byte();
      v += (b & 0x7f) * scale;
      if (b < 0x80) return v;
      scale *= 128;
    }
    throw new RleError('RLE varint too long');
  }
  end(): void {
    if (this.i !== this.buf.length) throw new RleError('RLE bytes have trailing data');
  }
}

export function binaryRleToBytes(rle: BinaryRle): Uint8Array {
  const w = new ByteWriter();
  w.byte(KIND_BINARY);
  w.varint(rle.length);
  w.varint(rle.counts.length);
  for (let r = 0; r < rle.counts.length; r++) w.varint(rle.counts[r]!);
  return w.done();
}

/** Run positions are Uint32: a longer volume cannot be represented (and is no real scan). */
const MAX_LENGTH = 0xffffffff;

function readLength(r: ByteReader): number {
  const length = r.varint();
  if (length > MAX_LENGTH) throw new RleError('RLE length exceeds 2^32 − 1 voxels');
  return length;
}

export function binaryRleFromBytes(bytes: Uint8Array): BinaryRle {
  const r = new ByteReader(bytes);
  if (r.byte() !== KIND_BINARY) throw new RleError('not a binary RLE');
  const length = readLength(r);
  const n = r.varint();
  if (n > bytes.length) throw new RleError('RLE run count exceeds its bytes');
  const counts = new Uint32Array(n);
  for (let k = 0; k < n; k++) counts[k] = r.varint();
  r.end();
  const rle = { length, counts };
  assertRle(rle);
  return rle;
}

export function labelRleToBytes(rle: LabelRle): Uint8Array {
  const w = new ByteWriter();
  w.byte(KIND_LABEL);
  w.varint(rle.length);
  w.varint(rle.ends.length);
  for (let r = 0; r < rle.values.length; r++) w.byte(rle.values[r]!);
  let prev = 0;
  for (let r = 0; r < rle.ends.length; r++) {
    w.varint(rle.ends[r]! - prev);
    prev = rle.ends[r]!;
  }
  return w.done();
}

export function labelRleFromBytes(bytes: Uint8Array): LabelRle {
  const r = new ByteReader(bytes);
  if (r.byte() !== KIND_LABEL) throw new RleError('not a label RLE');
  const length = readLength(r);
  const n = r.varint();
  if (n > bytes.length) throw new RleError('RLE run count exceeds its bytes');
  const values = new Uint8Array(n);
  for (let k = 0; k < n; k++) values[k] = r.byte();
  const ends = new Uint32Array(n);
  let pos = 0;
  for (let k = 0; k < n; k++) {
    pos += r.varint();
    if (pos > MAX_LENGTH) throw new RleError('RLE runs exceed 2^32 − 1 voxels');
    ends[k] = pos;
  }
  r.end();
  const rle = { length, values, ends };
  assertLabelRle(rle);
  return rle;
}
