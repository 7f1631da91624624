/** Reverses the byte order of each `size`-byte word (big ↔ little endian) into a new buffer. */
export function swapBytes(bytes: Uint8Array, size: number): Buffer {
  const out = Buffer.alloc(bytes.length);
  for (let i = 0; i + size <= bytes.length; i += size) {
    for (let k = 0; k < size; k++) out[i + k] = bytes[i + size - 1 - k]!;
  }
  return out;
}
