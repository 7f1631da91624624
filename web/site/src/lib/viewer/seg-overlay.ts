import { type ReadSeg, readSeg } from '@annex/dicom/seg/read-seg.ts';
import { core, tools } from './cornerstone-runtime.ts';
import type { StackViewer } from './stack-viewer.ts';

// Opens a DICOM SEG file (an Annex export, or anyone's) as a read-only labelmap over the series on screen.
// The file is parsed by dcmjs (readSeg), the reader a user's own tool would use; frames are placed by the
// source image each one names, never by position in the file.

export interface SegOverlaySummary {
  /** Per segment: its label and how many of its pixels landed on images of this series. */
  segments: { number: number; label: string; pixels: number; images: number }[];
  /** Frames that name an image this series does not have (another series, or original UIDs). */
  unmatchedFrames: number;
}

export class SegOverlayError extends Error {
  constructor(
    readonly code: 'SEG_OTHER_SERIES' | 'SEG_SIZE_MISMATCH' | string,
    message: string,
  ) {
    super(message);
  }
}

const PALETTE: [number, number, number][] = [
  [230, 25, 75],
  [60, 180, 75],
  [255, 225, 25],
  [0, 130, 200],
  [245, 130, 48],
];

let overlays = 0;

/**
 * Shows `bytes` over the viewer's series; returns what it placed and a function that removes it. Refuses
 * (with a code) a SEG none of whose frames is on this series, or whose frames are not the images' size.
 */
export async function openSegOverlay(
  viewer: StackViewer,
  bytes: ArrayBuffer,
): Promise<{ summary: SegOverlaySummary; remove: () => void }> {
  const seg: ReadSeg = readSeg(bytes);
  const indexOf = new Map(viewer.series.map((s, i) => [`${s.sopInstanceUid}/${s.frame}`, i]));
  const placed = seg.frames.filter((f) => indexOf.has(`${f.sopInstanceUid}/${f.frameNumber}`));
  if (placed.length === 0)
    throw new SegOverlayError(
      'SEG_OTHER_SERIES',
      'This segmentation refers to none of the images of this series.',
    );
  const id = `annex-seg-overlay-${++overlays}`;
  const derived = core.imageLoader.createAndCacheDerivedLabelmapImages(viewer.imageIds);
  const summary: SegOverlaySummary = {
    segments: seg.segments.map((s) => ({ number: s.number, label: s.label, pixels: 0, images: 0 })),
    unmatchedFrames: seg.frames.length - placed.length,
  };
  const bySegment = new Map(summary.segments.map((s) => [s.number, s]));
  for (const f of placed) {
    const image = core.cache.getImage(derived[indexOf.get(`${f.sopInstanceUid}/${f.frameNumber}`)!]!.imageId);
    if (!image) continue;
    if (image.rows !== seg.rows || image.columns !== seg.columns)
      throw new SegOverlayError(
        'SEG_SIZE_MISMATCH',
        `The segmentation is ${seg.columns}×${seg.rows} but the images are ${image.columns}×${image.rows}.`,
      );
    const out = (image.voxelManager?.getScalarData() ?? image.getPixelData()) as unknown as {
      [i: number]: number;
    };
    let set = 0;
    for (let i = 0; i < f.pixels.length; i++)
      if (f.pixels[i]) {
        out[i] = f.segment;
        set++;
      }
    const s = bySegment.get(f.segment);
    if (s && set > 0) {
      s.pixels += set;
      s.images++;
    }
  }
  tools.segmentation.addSegmentations([
    {
      segmentationId: id,
      representation: {
        type: tools.Enums.SegmentationRepresentations.Labelmap,
        data: { imageIds: derived.map((i) => i.imageId) },
      },
    },
  ]);
  await tools.segmentation.addLabelmapRepresentationToViewport(viewer.viewportId, [{ segmentationId: id }]);
  for (const [k, s] of seg.segments.entries()) {
    const [r, g, b] = s.color ?? PALETTE[k % PALETTE.length]!;
    tools.segmentation.config.color.setSegmentIndexColor(viewer.viewportId, id, s.number, [r, g, b, 200]);
  }
  tools.segmentation.triggerSegmentationEvents.triggerSegmentationDataModified(id);
  viewer.viewport.render();
  // A handle for end-to-end tests: what the labelmap holds, read back from Cornerstone's cache.
  (globalThis as { __annexSegOverlay?: () => number }).__annexSegOverlay = () => {
    let n = 0;
    for (const d of derived) {
      const image = core.cache.getImage(d.imageId);
      const px = (image?.voxelManager?.getScalarData() ?? image?.getPixelData()) as
        | ArrayLike<number>
        | undefined;
      if (px) for (let i = 0; i < px.length; i++) if (px[i]) n++;
    }
    return n;
  };
  return {
    summary,
    remove: () => {
      tools.segmentation.removeSegmentation(id);
      viewer.viewport.render();
    },
  };
}
