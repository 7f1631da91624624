import { Socket } from 'node:net';
import { describe, expect, it } from 'vitest';
import { framePdusOnEmit } from './pdu-framing.ts';

function pdu(type: number, body: Buffer): Buffer {
  const head = Buffer.alloc(6);
  head[0] = type;
  head.writeUInt32BE(body.length, 2);
  return Buffer.concat([head, body]);
}

describe('framePdusOnEmit', () => {
  it('delivers exactly one whole PDU per data event however the bytes were chunked', () => {
    const pdus = [
      pdu(4, Buffer.alloc(70_000, 1)),
      pdu(4, Buffer.from('ab')),
      pdu(5, Buffer.alloc(0)),
      pdu(4, Buffer.alloc(3, 7)),
    ];
    const stream = Buffer.concat(pdus);
    for (const size of [1, 5, 6, 7, 1000, 65_536, stream.length]) {
      const socket = new Socket();
      framePdusOnEmit(socket);
      const got: Buffer[] = [];
      socket.on('data', (d: Buffer) => got.push(Buffer.from(d)));
      for (let at = 0; at < stream.length; at += size) socket.emit('data', stream.subarray(at, at + size));
      expect(got.map((g) => g.toString('hex'))).toEqual(pdus.map((p) => p.toString('hex')));
      socket.destroy();
    }
  });

  it('passes other events through untouched', () => {
    const socket = new Socket();
    framePdusOnEmit(socket);
    let closed = false;
    socket.on('timeout', () => {
      closed = true;
    });
    socket.emit('timeout');
    expect(closed).toBe(true);
    socket.destroy();
  });
});
