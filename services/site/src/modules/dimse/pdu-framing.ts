import type { Socket } from 'node:net';

const HEADER = 6;

/**
 * Makes a socket deliver whole PDUs, one per 'data' event. dcmjs-dimse accumulates a PDU with
 * Buffer.concat on every chunk, which is quadratic in the PDU size (a 1 MB PDU arriving in 64 KB
 * chunks is copied ~8 MB); framing here costs one copy per PDU, and the library then takes its
 * no-copy path. Done on `emit`, so every listener (the library's) sees framed data. `admit` sees
 * each PDU first and may drop it (an association being ended reads no further).
 */
export function framePdusOnEmit(socket: Socket, admit: (pdu: Buffer) => boolean = () => true): void {
  const emit = socket.emit.bind(socket);
  let chunks: Buffer[] = [];
  let buffered = 0;
  let needed = 0;

  socket.emit = ((event: string | symbol, ...args: unknown[]): boolean => {
    if (event !== 'data') return emit(event, ...args);
    const chunk = args[0] as Buffer;
    chunks.push(chunk);
    buffered += chunk.length;
    for (;;) {
      if (needed === 0) {
        if (buffered < HEADER) return true;
        const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
        chunks = [head];
        needed = HEADER + head.readUInt32BE(2);
      }
      if (buffered < needed) return true;
      const all = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, buffered);
      const pdu = all.subarray(0, needed);
      const rest = all.subarray(needed);
      chunks = rest.length ? [rest] : [];
      buffered = rest.length;
      needed = 0;
      if (admit(pdu)) emit('data', pdu);
      if (buffered === 0) return true;
    }
  }) as typeof socket.emit;
}
