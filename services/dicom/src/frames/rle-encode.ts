/**
 * DICOM RLE Lossless encoder (PS3.5 Annex G): one segment per byte plane (most significant byte first, per
 * sample), each row PackBits-encoded on its own, a 64-byte header of segment offsets. Input is little endian
 * interleaved native pixels of one frame.
 */
export function encodeRleFrame(
  pixels: Uint8Array,
  opts: { rows: number; columns: number; bitsAllocated: number; samplesPerPixel?: number },
): Uint8Array {
  const samples = opts.samplesPerPixel ?? 1;
  const bytesPerSample = opts.bitsAllocated / 8;
  const segmentCount = samples * bytesPerSample;
  if (segmentCount > 15) throw new Error('RLE allows at most 15 segments');
  const stride = samples * bytesPerSample;
  const plane = new Uint8Array(opts.columns);
  const segments: Uint8Array[] = [];
  for (let s = 0; s < samples; s++) {
    for (let byte = bytesPerSample - 1; byte >= 0; byte--) {
      const chunks: Uint8Array[] = [];
      let length = 0;
      for (let r = 0; r < opts.rows; r++) {
        const base = r * opts.columns;
        for (let c = 0; c < opts.columns; c++)
          plane[c] = pixels[(base + c) * stride + s * bytesPerSample + byte]!;
        const packed = packBits(plane);
        chunks.push(packed);
        length += packed.length;
      }
      const segment = new Uint8Array(length + (length % 2));
      let at = 0;
      for (const chunk of chunks) {
        segment.set(chunk, at);
        at += chunk.length;
      }
      segments.push(segment);
    }
  }
  const total = 64 + segments.reduce((n, s) => n + s.length, 0);
  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  view.setUint32(0, segments.length, true);
  let offset = 64;
  segments.forEach((segment, i) => {
    view.setUint32(4 + 4 * i, offset, true);
    out.set(segment, offset);
    offset += segment.length;
  });
  return out;
}

/** PackBits: runs of 2..128 equal bytes become (257-n, byte); everything else literal blocks of ≤128. */
function packBits(input: Uint8Array): Uint8Array {
  const out = new Uint8Array(input.length + Math.ceil(input.length / 128) + 1);
  let o = 0;
  let i = 0;
  const n = input.length;
  while (i < n) {
    let run = 1;
    while (i + run < n && run < 128 && input[i + run] === input[i]) run++;
    if (run >= 2) {
      out[o++] = 257 - run;
      out[o++] = input[i]!;
      i += run;
      continue;
    }
    const start = i;
    // Literal block: stop before the next pair of equal bytes, which a replicate run encodes better.
    while (i < n && i - start < 128 && !(i + 1 < n && input[i] === input[i + 1])) i++;
    out[o++] = i - start - 1;
    out.set(input.subarray(start, i), o);
    o += i - start;
  }
  return out.subarray(0, o);
}
