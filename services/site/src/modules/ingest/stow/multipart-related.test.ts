import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { contentTypeParams, readMultipartRelated } from './multipart-related.ts';

const limits = { maxPartBytes: 1 << 20, maxTotalBytes: 8 << 20 };

function body(boundary: string, parts: Buffer[], { preamble = '', padding = '' } = {}): Buffer {
  const out: Buffer[] = [Buffer.from(preamble)];
  for (const [i, part] of parts.entries()) {
    out.push(
      Buffer.from(
        `${i === 0 && !preamble ? '' : '\r\n'}--${boundary}${padding}\r\nContent-Type: application/dicom\r\n\r\n`,
      ),
    );
    out.push(part);
  }
  out.push(Buffer.from(`\r\n--${boundary}--\r\n`));
  return Buffer.concat(out);
}

/** Feeds the body in chunks of the given sizes (cycled), so boundaries land anywhere. */
function chunked(buf: Buffer, sizes: number[]): Readable {
  const chunks: Buffer[] = [];
  for (let at = 0, i = 0; at < buf.length; i++) {
    const size = sizes[i % sizes.length]!;
    chunks.push(buf.subarray(at, at + size));
    at += size;
  }
  return Readable.from(chunks);
}

async function collect(stream: Readable, boundary: string, l = limits) {
  const out = [];
  for await (const part of readMultipartRelated(stream, boundary, l)) out.push(part);
  return out;
}

describe('readMultipartRelated', () => {
  it('yields every part intact whatever the chunking, including boundaries split across chunks', async () => {
    const boundary = 'annex-test-boundary';
    // Bodies that contain CRLF, dashes and near-boundaries must not be cut.
    const parts = [
      randomBytes(5000),
      Buffer.from(`\r\n--${boundary.slice(0, 10)}\r\n--`),
      randomBytes(1),
      randomBytes(70_000),
    ];
    const raw = body(boundary, parts);
    for (const sizes of [[1], [3, 7], [64], [4096], [raw.length]]) {
      const got = await collect(chunked(raw, sizes), boundary);
      expect(got.map((p) => p.body.equals(parts[got.indexOf(p)]!))).toEqual([true, true, true, true]);
      expect(got[0]!.headers['content-type']).toBe('application/dicom');
    }
  });

  it('skips a preamble and transport padding after boundaries', async () => {
    const parts = [Buffer.from('first'), Buffer.from('second')];
    const raw = body('b1', parts, { preamble: 'ignore me', padding: '  \t' });
    const got = await collect(chunked(raw, [5]), 'b1');
    expect(got.map((p) => p.body.toString())).toEqual(['first', 'second']);
  });

  it('refuses a body that ends before the closing boundary', async () => {
    const raw = body('b2', [Buffer.from('x')]).subarray(0, 40);
    await expect(collect(chunked(raw, [8]), 'b2')).rejects.toMatchObject({ code: 'MULTIPART_MALFORMED' });
  });

  it('refuses a part or a request over the limits with 413', async () => {
    const raw = body('b3', [randomBytes(2000)]);
    await expect(
      collect(chunked(raw, [100]), 'b3', { maxPartBytes: 1000, maxTotalBytes: 1 << 20 }),
    ).rejects.toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      statusCode: 413,
    });
    await expect(
      collect(chunked(raw, [100]), 'b3', { maxPartBytes: 1 << 20, maxTotalBytes: 500 }),
    ).rejects.toMatchObject({
      statusCode: 413,
    });
  });

  it('reads Content-Type parameters with and without quotes', () => {
    expect(contentTypeParams('multipart/related; type="application/dicom"; boundary=abc')).toEqual({
      type: 'multipart/related',
      params: { type: 'application/dicom', boundary: 'abc' },
    });
  });
});
