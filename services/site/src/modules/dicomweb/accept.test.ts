import { describe, expect, it } from 'vitest';
import {
  acceptsDicomJson,
  chooseFrameRepresentation,
  chooseInstanceRepresentation,
  chooseRenderedType,
  parseAccept,
} from './accept.ts';

const EXPLICIT = '1.2.840.10008.1.2.1';
const RLE = '1.2.840.10008.1.2.5';
const JLS = '1.2.840.10008.1.2.4.80';
const J2K = '1.2.840.10008.1.2.4.90';

describe('Accept negotiation (PS3.18 8.7)', () => {
  it('parses quoted parameters and orders by q', () => {
    expect(
      parseAccept('image/png;q=0.5, multipart/related; type="application/octet-stream"; transfer-syntax=*'),
    ).toEqual([
      {
        type: 'multipart/related',
        params: { type: 'application/octet-stream', 'transfer-syntax': '*' },
        q: 1,
      },
      { type: 'image/png', params: {}, q: 0.5 },
    ]);
    expect(parseAccept('image/png;q=0')).toEqual([]);
  });

  it('serves native frames as octet-stream whatever syntax was asked for native data', () => {
    expect(chooseFrameRepresentation(undefined, EXPLICIT, true)).toMatchObject({
      multipart: true,
      transferSyntax: EXPLICIT,
      decode: false,
    });
    expect(
      chooseFrameRepresentation(
        'multipart/related; type="application/octet-stream"',
        '1.2.840.10008.1.2',
        true,
      ),
    ).toMatchObject({
      mediaType: 'application/octet-stream',
      transferSyntax: EXPLICIT,
    });
    expect(chooseFrameRepresentation('application/octet-stream', EXPLICIT, true)).toMatchObject({
      multipart: false,
    });
  });

  it('gives compressed frames as stored for transfer-syntax=* or their media type, decoded otherwise', () => {
    expect(
      chooseFrameRepresentation(
        'multipart/related; type="application/octet-stream"; transfer-syntax=*',
        JLS,
        true,
      ),
    ).toEqual({
      multipart: true,
      mediaType: 'application/octet-stream',
      transferSyntax: JLS,
      decode: false,
    });
    expect(chooseFrameRepresentation('multipart/related; type="image/jls"', JLS, true)).toMatchObject({
      mediaType: 'image/jls',
      decode: false,
    });
    expect(chooseFrameRepresentation('multipart/related; type="image/dicom-rle"', RLE, true)).toMatchObject({
      mediaType: 'image/dicom-rle',
    });
    expect(
      chooseFrameRepresentation('multipart/related; type="application/octet-stream"', RLE, true),
    ).toMatchObject({ decode: true, transferSyntax: EXPLICIT });
  });

  it('finds nothing acceptable when a media type does not match the stored syntax or cannot be decoded', () => {
    expect(chooseFrameRepresentation('multipart/related; type="image/jls"', J2K, true)).toBeUndefined();
    expect(
      chooseFrameRepresentation(
        'multipart/related; type="image/jp2"; transfer-syntax=1.2.840.10008.1.2.4.91',
        J2K,
        true,
      ),
    ).toBeUndefined();
    expect(
      chooseFrameRepresentation('multipart/related; type="application/octet-stream"', J2K, false),
    ).toBeUndefined();
    expect(chooseFrameRepresentation('text/html', EXPLICIT, true)).toBeUndefined();
  });

  it('falls back to a later, lower-q range that can be served', () => {
    expect(
      chooseFrameRepresentation(
        'multipart/related; type="image/jls", multipart/related; type="application/octet-stream";q=0.5',
        EXPLICIT,
        true,
      ),
    ).toMatchObject({
      mediaType: 'application/octet-stream',
    });
  });

  it('retrieves instances as stored, single part only for one instance', () => {
    expect(chooseInstanceRepresentation(undefined, [RLE], false)).toEqual({ multipart: true });
    expect(chooseInstanceRepresentation('application/dicom', [RLE], true)).toEqual({ multipart: false });
    expect(chooseInstanceRepresentation('application/dicom', [RLE, RLE], false)).toBeUndefined();
    expect(
      chooseInstanceRepresentation(
        `multipart/related; type="application/dicom"; transfer-syntax=${RLE}`,
        [RLE],
        false,
      ),
    ).toEqual({ multipart: true });
    expect(
      chooseInstanceRepresentation(
        `multipart/related; type="application/dicom"; transfer-syntax=${EXPLICIT}`,
        [RLE],
        false,
      ),
    ).toBeUndefined();
  });

  it('answers JSON and rendered types', () => {
    expect(acceptsDicomJson('application/dicom+json')).toBe(true);
    expect(acceptsDicomJson(undefined)).toBe(true);
    expect(acceptsDicomJson('application/dicom+xml')).toBe(false);
    expect(chooseRenderedType(undefined)).toBe('image/jpeg');
    expect(chooseRenderedType('image/png, image/jpeg;q=0.1')).toBe('image/png');
    expect(chooseRenderedType('image/gif')).toBeUndefined();
  });
});
