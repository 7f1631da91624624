import { getFrame, parseInstance } from '@annex/dicom';
import type { DicomDataset } from '@annex/dicom/parse/element.ts';
import { AppError } from '@annex/platform';
import { type DicomJson, firstString } from './dicom-json.ts';
import { T } from './dictionary.ts';
import { strongEtag } from './etag.ts';
import { readStoredFrame } from './frames.ts';
import { boundaryOf, multipartBuffer, multipartContentType } from './multipart.ts';
import type { UrlUids, Viewer } from './viewer.ts';
import {
  auditRead,
  maskedInstance,
  pixelSource,
  storedOrThrow,
  type WadoDeps,
  type WadoResponse,
} from './wado-service.ts';

const PIXEL_DATA = '7FE00010';
const BAD_PATH = () =>
  new AppError('BAD_BULKDATA_PATH', 400, 'A bulk data path is tag(/item/tag)*, as the metadata gives it.');

/** `52009230/0/00281050` → [0x52009230, 0, 0x00281050]: tags at even places, item indices at odd ones. */
function parsePath(path: string): number[] {
  const parts = path.split('/');
  if (parts.length % 2 !== 1 || parts.length > 33) throw BAD_PATH();
  return parts.map((p, i) => {
    if (i % 2 === 0 && /^[0-9A-Fa-f]{8}$/.test(p)) return Number.parseInt(p, 16) >>> 0;
    if (i % 2 === 1 && /^\d{1,6}$/.test(p)) return Number(p);
    throw BAD_PATH();
  });
}

function references(ds: DicomJson, uri: string): boolean {
  return Object.values(ds).some(
    (e) =>
      e.BulkDataURI?.toUpperCase() === uri.toUpperCase() ||
      (e.vr === 'SQ' && (e.Value ?? []).some((item) => references(item as DicomJson, uri))),
  );
}

/**
 * WADO-RS bulk data named by the BulkDataURIs the metadata gives: pixel data as its frames (ranged reads,
 * stored syntax), any other large binary value by its tag path, read from the stored object.
 */
export async function retrieveBulkData(
  deps: WadoDeps,
  viewer: Viewer,
  url: UrlUids,
  path: string,
): Promise<WadoResponse> {
  const tags = parsePath(path);
  const [instance] = await storedOrThrow(deps, viewer, url, 'instance');
  const inst = instance!;
  const isPixelData = path.toUpperCase() === PIXEL_DATA;
  // Pixel data of a masked burned-in-risk image comes from the engine's masked copy (same transfer syntax).
  const maskedBy =
    isPixelData && pixelSource(viewer, inst) === 'masked' && viewer.kind === 'deid' ? viewer.view : undefined;
  const etag = strongEtag(
    'bulkdata',
    viewer.kind === 'phi' ? 'original' : viewer.view.fingerprint,
    inst.sha256,
    path.toUpperCase(),
  );
  const boundary = boundaryOf(etag);
  const ts = inst.transferSyntaxUid;
  return {
    contentType: multipartContentType('application/octet-stream', boundary),
    etag,
    body: async () => {
      await auditRead(deps, viewer, 'bulkdata', [inst]);
      if (isPixelData) {
        const masked = maskedBy ? await maskedInstance(deps, maskedBy, inst) : undefined;
        const frames = await Promise.all(
          Array.from({ length: inst.numberOfFrames }, (_, i) =>
            masked ? [getFrame(masked, i)] : readStoredFrame(deps.storage, inst, i + 1),
          ),
        );
        const contentType = `application/octet-stream; transfer-syntax=${ts}`;
        return multipartBuffer(
          frames.map((body) => ({ contentType, body })),
          boundary,
        );
      }
      const parsed = parseInstance(await deps.storage.getBuffer(inst.objectKey));
      let dataset: DicomDataset | undefined = parsed.dataset;
      let value: Buffer | undefined;
      for (let i = 0; i < tags.length && dataset; i += 2) {
        const element = dataset.get(tags[i]!);
        if (!element) break;
        if (i + 1 >= tags.length) {
          value = parsed.context.source.subarray(element.offset, element.offset + element.length);
          break;
        }
        dataset = element.items?.[tags[i + 1]!];
      }
      if (!value)
        throw new AppError('BULKDATA_NOT_FOUND', 404, 'This instance has no bulk data at that path.');
      // The de-identified view serves only values its metadata still references (kept unchanged by the profile).
      if (viewer.kind === 'deid') {
        const [row] = await deps.repository.metadataRows({
          studyUid: inst.studyInstanceUid,
          seriesUid: inst.seriesInstanceUid,
          sopUid: inst.sopInstanceUid,
        });
        const shown =
          row &&
          viewer.view.jsonOf(
            `instance:${row.id}`,
            row.metadata,
            firstString(row.metadata, T.PatientID) ?? '',
          );
        if (!shown || !references(shown, `bulkdata/${path}`)) {
          throw new AppError('BULKDATA_NOT_FOUND', 404, 'This instance has no bulk data at that path.');
        }
      }
      return multipartBuffer([{ contentType: 'application/octet-stream', body: [value] }], boundary);
    },
  };
}
