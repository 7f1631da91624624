import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dciodvfyErrors, runOnFile } from '../../test/dicom-tools.ts';
import { initCodecs } from '../frames/codecs.ts';
import { readPart10 } from './binary/read-part10.ts';
import { collectPhiValues } from './collect-phi.ts';
import { deidentify } from './deidentify.ts';
import { findResidualPhi } from './verify.ts';

// Real files written by other software, shipped by Debian packages installed here (skipped where absent).
const XA_JPEG_LOSSLESS = '/usr/share/doc/libgdcm3.0/examples/00191113.dcm';
const MR_EXPLICIT = '/usr/share/doc/dicom3tools/examples/0051.dcm';
const secret = 'real-files-secret-0123456789';

describe.each([XA_JPEG_LOSSLESS, MR_EXPLICIT])('a real file: %s', (path) => {
  it.skipIf(!existsSync(path))(
    'is de-identified without residual PHI, stays readable, valid and idempotent',
    () => {
      const input = readFileSync(path);
      const phi = collectPhiValues(input);
      expect(findResidualPhi(input, phi).length).toBeGreaterThan(0);
      const before = new Set(dciodvfyErrors(input));
      for (const profile of ['annotator-view', 'basic-profile', 'research-export']) {
        const out = deidentify(input, { profile, secret });
        expect(findResidualPhi(out.buffer, phi)).toEqual([]);
        expect(runOnFile('dcmdump', out.buffer).status).toBe(0);
        expect(dciodvfyErrors(out.buffer).filter((line) => !before.has(line))).toEqual([]);
        expect(Buffer.compare(deidentify(out.buffer, { profile, secret }).buffer, out.buffer)).toBe(0);
      }
    },
  );
});

describe('masking a real JPEG Lossless XA (burned-in risk)', () => {
  it.skipIf(!existsSync(XA_JPEG_LOSSLESS))(
    'blanks the rectangle in every frame and changes nothing else',
    async () => {
      const codecs = await initCodecs();
      const input = readFileSync(XA_JPEG_LOSSLESS);
      const rect = { x: 200, y: 200, width: 60, height: 40 };
      const out = deidentify(input, {
        profile: 'annotator-view',
        secret,
        pixelMasking: { templates: [{ name: 'centre', rows: 512, columns: 512, rects: [rect] }] },
      });
      expect(out.report.burnedIn).toMatchObject({ risk: true, masked: true });
      const frames = (buf: Uint8Array) => {
        const enc = readPart10(buf).dataset.find((e) => e.tag === 0x7fe00010)!.encapsulated!;
        const view = new DataView(enc.buffer, enc.byteOffset, enc.byteLength);
        const items: Uint8Array[] = [];
        for (
          let pos = 0;
          view.getUint32(pos, true) === 0xe000fffe;
          pos += 8 + view.getUint32(pos + 4, true)
        ) {
          items.push(enc.subarray(pos + 8, pos + 8 + view.getUint32(pos + 4, true)));
        }
        return items.slice(1).map((f) => {
          const ctx = new codecs.Context({
            width: 512,
            height: 512,
            bitsAllocated: 8,
            bitsStored: 8,
            samplesPerPixel: 1,
            pixelRepresentation: 0,
            planarConfiguration: 0,
            photometricInterpretation: 'MONOCHROME2',
            encodedBuffer: new Uint8Array(f),
          });
          return new Uint8Array(codecs.NativeCodecs.decodeJpeg(ctx).getDecodedBuffer()!);
        });
      };
      const a = frames(input);
      const b = frames(out.buffer);
      expect(b).toHaveLength(a.length);
      let blankedNonZero = 0;
      for (const [f, frame] of a.entries()) {
        for (let y = 0; y < 512; y++) {
          for (let x = 0; x < 512; x++) {
            const i = y * 512 + x;
            const inside = x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
            if (inside) {
              expect(b[f]![i]).toBe(0);
              if (frame[i] !== 0) blankedNonZero++;
            } else if (b[f]![i] !== frame[i]) {
              throw new Error(`pixel outside the mask changed at frame ${f} (${x},${y})`);
            }
          }
        }
      }
      expect(blankedNonZero).toBeGreaterThan(0);
    },
  );
});
