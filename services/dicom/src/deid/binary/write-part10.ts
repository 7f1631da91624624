import { deflateRawSync } from 'node:zlib';
import { ITEM, SEQUENCE_DELIMITER } from '../../part10/constants.ts';
import { LONG_VRS } from '../../part10/vr.ts';
import type { DElement, Part10 } from './element.ts';

/** Values at least this long are emitted as views of their source, not copied into the header buffer. */
const PASS_THROUGH_BYTES = 4096;

/**
 * Encodes a Part 10 object as a list of byte chunks: freshly written header bytes interleaved with views of
 * large source values (pixel data above all), so unchanged pixels are never copied.
 */
export function writePart10(p: Part10): Uint8Array[] {
  const metaBody = new ChunkWriter(true);
  const metaNoLength = p.meta.filter((e) => e.tag !== 0x00020000);
  const metaLength = metaNoLength.reduce((n, e) => n + elementSize(e, true), 0);
  const head = new ChunkWriter(true);
  head.bytes(new Uint8Array(128));
  head.ascii('DICM');
  head.element({ tag: 0x00020000, vr: 'UL', value: u32(metaLength) });
  for (const e of metaNoLength) metaBody.element(e);
  const body = new ChunkWriter(p.explicitVr);
  for (const e of p.dataset) body.element(e);
  const bodyChunks = body.finish();
  const out = [...head.finish(), ...metaBody.finish()];
  if (p.deflated) out.push(deflateRawSync(Buffer.concat(bodyChunks)));
  else out.push(...bodyChunks);
  return out;
}

/** Encodes a bare data set (used to build values and in tests). */
export function writeDataset(elements: DElement[], explicitVr: boolean): Uint8Array {
  const w = new ChunkWriter(explicitVr);
  for (const e of elements) w.element(e);
  return Buffer.concat(w.finish());
}

function u32(n: number): Uint8Array {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

export function elementSize(e: DElement, explicitVr: boolean): number {
  const header = explicitVr ? (LONG_VRS.has(e.vr) ? 12 : 8) : 8;
  return header + valueSize(e, explicitVr);
}

function valueSize(e: DElement, explicitVr: boolean): number {
  if (e.encapsulated) return e.encapsulated.length;
  if (e.items) return e.items.reduce((n, item) => n + 8 + itemSize(item, explicitVr), 0);
  return e.value?.length ?? 0;
}

function itemSize(item: DElement[], explicitVr: boolean): number {
  let n = 0;
  for (const e of item) n += elementSize(e, explicitVr);
  return n;
}

class ChunkWriter {
  private chunks: Uint8Array[] = [];
  private buf = Buffer.allocUnsafe(16384);
  private pos = 0;

  constructor(private readonly explicitVr: boolean) {}

  element(e: DElement): void {
    const encapsulated = e.encapsulated;
    const length = encapsulated ? 0xffffffff : valueSize(e, this.explicitVr);
    this.header(e.tag, e.vr, length);
    if (encapsulated) this.bytes(encapsulated);
    else if (e.items) {
      for (const item of e.items) {
        this.header(ITEM, '', itemSize(item, this.explicitVr));
        for (const child of item) this.element(child);
      }
    } else if (e.value) this.bytes(e.value);
  }

  private header(tag: number, vr: string, length: number): void {
    this.ensure(12);
    const b = this.buf;
    b.writeUInt16LE(tag >>> 16, this.pos);
    b.writeUInt16LE(tag & 0xffff, this.pos + 2);
    this.pos += 4;
    if (tag === ITEM || tag === SEQUENCE_DELIMITER || !this.explicitVr) {
      b.writeUInt32LE(length, this.pos);
      this.pos += 4;
      return;
    }
    b.write(vr, this.pos, 'latin1');
    if (LONG_VRS.has(vr)) {
      b.writeUInt16LE(0, this.pos + 2);
      b.writeUInt32LE(length, this.pos + 4);
      this.pos += 8;
    } else {
      b.writeUInt16LE(length, this.pos + 2);
      this.pos += 4;
    }
  }

  bytes(v: Uint8Array): void {
    if (v.length >= PASS_THROUGH_BYTES) {
      this.flush();
      this.chunks.push(v);
      return;
    }
    this.ensure(v.length);
    this.buf.set(v, this.pos);
    this.pos += v.length;
  }

  ascii(s: string): void {
    this.ensure(s.length);
    this.pos += this.buf.write(s, this.pos, 'latin1');
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    this.flush();
    if (n > this.buf.length) this.buf = Buffer.allocUnsafe(n);
  }

  private flush(): void {
    if (this.pos === 0) return;
    this.chunks.push(Buffer.from(this.buf.subarray(0, this.pos)));
    this.pos = 0;
  }

  finish(): Uint8Array[] {
    this.flush();
    return this.chunks;
  }
}
